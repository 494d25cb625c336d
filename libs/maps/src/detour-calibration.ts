import type { LngLat } from '#contracts';
import { geohash } from './geohash.js';
import { straightLineMeters } from './turf-estimate.js';

/** The detour factor an estimate should use for a trip, and where it came from. */
export interface DetourFactor {
  factor: number;
  source: 'calibrated' | 'default';
  /** The geohash-5 cell of the pickup the factor belongs to. */
  cell: string;
  samples: number;
}

export interface DetourCalibrationOptions {
  defaultFactor: number;
  /** Real routes a cell needs before its own factor is trusted. */
  minSamples: number;
  /** Weight of each new route in the moving average. */
  alpha?: number;
  /** Shorter trips say more about where the pin fell than about the roads, so they are ignored. */
  minStraightMeters?: number;
}

/**
 * Learns, per geohash-5 cell of the pickup, how much longer roads are than the straight line: each real route
 * updates an exponential moving average of route ÷ straight-line distance. Rivers and mountains make this vary
 * a lot across Korea (crossing the Han is far from 1.3), so a local factor makes estimates fairer.
 */
export class DetourCalibration {
  private readonly cells = new Map<string, { factor: number; samples: number }>();
  private readonly alpha: number;
  private readonly minStraightMeters: number;

  constructor(private readonly options: DetourCalibrationOptions) {
    this.alpha = options.alpha ?? 0.1;
    this.minStraightMeters = options.minStraightMeters ?? 300;
  }

  /** Feeds one real route; returns false when the trip was too short or the ratio implausible to learn from. */
  observe(from: LngLat, to: LngLat, routeMeters: number): boolean {
    const straight = straightLineMeters(from, to);
    if (straight < this.minStraightMeters) return false;
    const ratio = routeMeters / straight;
    // A road shorter than the straight line is a bad pin; more than 4× is a ferry or a wrong point.
    if (!(ratio >= 1 && ratio <= 4)) return false;
    const cell = geohash(from, 5);
    const current = this.cells.get(cell);
    if (!current) {
      this.cells.set(cell, { factor: ratio, samples: 1 });
    } else {
      current.factor += this.alpha * (ratio - current.factor);
      current.samples += 1;
    }
    return true;
  }

  /** The factor to use for a trip starting at `from`. */
  factorFor(from: LngLat): DetourFactor {
    const cell = geohash(from, 5);
    const current = this.cells.get(cell);
    if (current && current.samples >= this.options.minSamples) {
      return { factor: Math.round(current.factor * 100) / 100, source: 'calibrated', cell, samples: current.samples };
    }
    return { factor: this.options.defaultFactor, source: 'default', cell, samples: current?.samples ?? 0 };
  }

  /** Every calibrated cell, for operators and for persisting later. */
  snapshot(): Array<{ cell: string; factor: number; samples: number }> {
    return [...this.cells].map(([cell, { factor, samples }]) => ({ cell, factor, samples }));
  }
}
