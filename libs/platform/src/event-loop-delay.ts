import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import type { OverloadSignal } from './load-shedder.js';

/**
 * Overloaded while the event loop lags: its p99 delay over the last window is above `maxDelayMs`. Every request,
 * accepted or not, waits for the loop first, so a lagging loop delays the accepted ones whatever the bound on
 * requests in progress. The delay is sampled every 10 ms, so one long pause (a garbage collection) is one sample and
 * does not trip it; a loop late turn after turn, as when the CPU cannot keep up, does.
 */
export class EventLoopDelaySignal implements OverloadSignal {
  readonly name = 'eventLoopDelay';
  private readonly histogram: IntervalHistogram = monitorEventLoopDelay({ resolution: 10 });
  private readonly timer: NodeJS.Timeout;
  private lastDelayMs = 0;
  private lastTick = performance.now();

  constructor(
    private readonly maxDelayMs: number,
    private readonly windowMs = 500,
  ) {
    this.histogram.enable();
    this.timer = setInterval(() => this.tick(), windowMs);
    this.timer.unref();
  }

  /** The window's p99, or how late this very timer ran if that is more: a loop blocked all window long has no samples. */
  private tick(): void {
    const now = performance.now();
    const late = now - this.lastTick - this.windowMs;
    const p99 = this.histogram.count > 0 ? this.histogram.percentile(99) / 1e6 : 0;
    this.lastDelayMs = Math.max(late, p99);
    this.lastTick = now;
    this.histogram.reset();
  }

  /** The p99 event-loop delay of the last window, in milliseconds. */
  get delayMs(): number {
    return this.lastDelayMs;
  }

  overloaded(): boolean {
    return this.lastDelayMs > this.maxDelayMs;
  }

  stop(): void {
    clearInterval(this.timer);
    this.histogram.disable();
  }
}
