import type { TimingChange } from '#contracts';

/** The answer to "ready now" and "delayed", stored and replayed to redeliveries. */
export interface TimingChanged {
  orderId: string;
  change: TimingChange;
  delayMinutes?: number;
  /** The order's ready time now. */
  readyAt: string;
  promisedAt: string | null;
}
