import { AsyncResource } from 'node:async_hooks';

/**
 * Background work done in rounds: every `intervalMs`, and at once when woken. One round runs at a time; a wake
 * during a round makes another follow it, so nothing woken for waits a whole interval. With `minGapMs`, rounds
 * start at least that far apart however often they are woken, so a stream of wakes (one per delivered order,
 * say) makes a round every `minGapMs` rather than one after another without end. A failed round is reported and
 * the next one tries again. Rounds run in the async context the Rounds was made in, never in that of whoever woke
 * them (a request's log fields would otherwise label every round after it).
 */
export class Rounds {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private wokenWhileRunning = false;
  private halted = false;
  private lastStart = -Infinity;
  private gapTimer?: NodeJS.Timeout;

  constructor(
    private readonly round: () => Promise<void>,
    private readonly intervalMs: number,
    private readonly onError: (error: unknown) => void,
    private readonly minGapMs = 0,
  ) {}

  /** True once `stop` was called: a long round should end early. */
  get stopped(): boolean {
    return this.halted;
  }

  start(): void {
    this.timer = setInterval(() => this.wake(), this.intervalMs);
    this.timer.unref();
    this.wake();
  }

  /** Runs a round now, or right after the one running. */
  readonly wake: () => void = AsyncResource.bind(() => this.wakeHere());

  private wakeHere(): void {
    if (this.halted || this.gapTimer) return;
    if (this.running) {
      this.wokenWhileRunning = true;
      return;
    }
    const wait = this.lastStart + this.minGapMs - performance.now();
    if (wait > 0) {
      this.gapTimer = setTimeout(() => {
        this.gapTimer = undefined;
        this.wake();
      }, wait);
      return;
    }
    this.lastStart = performance.now();
    this.running = this.round()
      .catch((error: unknown) => this.onError(error))
      .finally(() => {
        this.running = undefined;
        if (this.wokenWhileRunning) {
          this.wokenWhileRunning = false;
          this.wake();
        }
      });
  }

  /** Resolves when the round running now (if any) has finished; one it asked to follow may then be running. */
  async idle(): Promise<void> {
    await this.running;
  }

  /** No more rounds; resolves when the one running has finished. */
  async stop(): Promise<void> {
    this.halted = true;
    clearInterval(this.timer);
    clearTimeout(this.gapTimer);
    await this.running;
  }
}
