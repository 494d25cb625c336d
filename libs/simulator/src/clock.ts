/**
 * Simulated time in whole minutes, the instances' unit: every placement, ready time and shift boundary falls
 * on a minute, so a round each minute sees every event when it happens.
 */
export class VirtualClock {
  private minute: number;

  constructor(
    start: number,
    private readonly end: number,
  ) {
    this.minute = start;
  }

  get now(): number {
    return this.minute;
  }

  /** Moves to the next minute; false once past the end. */
  tick(): boolean {
    this.minute++;
    return this.minute <= this.end;
  }
}
