/**
 * At most `perMinute` takes per minute on average, up to a minute's worth at once; refills continuously.
 * Per process: one reconciling instance at a time (the advisory lock) keeps the total near the budget.
 */
export class TokenBucket {
  private tokens: number;
  private updatedAt: number;

  constructor(
    private readonly perMinute: number,
    private readonly now: () => number = Date.now,
  ) {
    this.tokens = perMinute;
    this.updatedAt = now();
  }

  /** Takes one token if there is one. */
  take(): boolean {
    this.refill();
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /** Returns a token taken for a call that was not made after all. */
  giveBack(): void {
    this.tokens = Math.min(this.perMinute, this.tokens + 1);
  }

  private refill(): void {
    const now = this.now();
    this.tokens = Math.min(this.perMinute, this.tokens + ((now - this.updatedAt) * this.perMinute) / 60_000);
    this.updatedAt = now;
  }
}
