import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import type { OverloadSignal } from './load-shedder.js';

/**
 * Overloaded while the event loop lags: its p99 delay over the last window is above `maxDelayMs`. Every request,
 * accepted or not, waits for the loop first, so a lagging loop delays the accepted ones whatever the bound on
 * requests in progress.
 */
export class EventLoopDelaySignal implements OverloadSignal {
  readonly name = 'eventLoopDelay';
  private readonly histogram: IntervalHistogram = monitorEventLoopDelay({ resolution: 10 });
  private readonly timer: NodeJS.Timeout;
  private lastDelayMs = 0;

  constructor(
    private readonly maxDelayMs: number,
    windowMs = 500,
  ) {
    this.histogram.enable();
    this.timer = setInterval(() => {
      this.lastDelayMs = this.histogram.count > 0 ? this.histogram.percentile(99) / 1e6 : 0;
      this.histogram.reset();
    }, windowMs);
    this.timer.unref();
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
