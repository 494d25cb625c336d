import { IsIn, IsInt, IsISO8601, IsOptional, IsUUID, Max, Min } from 'class-validator';
import { EventEnvelope } from '../common/event.js';

/** Emitted by order-intake when a restaurant says an order's food is ready now, or delayed; dispatch re-plans it. */
export const ORDER_TIMING_CHANGED = 'order.timing-changed';

export const TIMING_CHANGES = ['ready', 'delayed'] as const;
export type TimingChange = (typeof TIMING_CHANGES)[number];

export class OrderTimingChangedEvent extends EventEnvelope {
  @IsUUID()
  orderId: string;

  @IsUUID()
  agencyId: string;

  /** `ready`: the food is ready now; `delayed`: it will be ready `delayMinutes` later than was said. */
  @IsIn(TIMING_CHANGES)
  change: TimingChange;

  /** The new ready time (ISO 8601). */
  @IsISO8601({ strict: true })
  readyAt: string;

  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(240)
  delayMinutes?: number;
}
