/**
 * When to start again a process that died: soon after a long run, later each time it dies soon after starting
 * (500 ms doubling to 30 s), so a crash loop does not spin the machine.
 */
export class RestartBackoff {
  private restarts = 0;
  private startedAt = Date.now();

  /** Call when the process (re)started. */
  started(): void {
    this.startedAt = Date.now();
  }

  /** The wait before the next start; a process that ran for a minute or more counts as healthy again. */
  next(): number {
    if (Date.now() - this.startedAt > 60_000) this.restarts = 0;
    const delay = Math.min(30_000, 500 * 2 ** this.restarts);
    this.restarts = Math.min(this.restarts + 1, 6);
    return delay;
  }
}
