import { IsISO8601, IsUUID } from 'class-validator';

/** Fields every event carries: its id (the consumer's idempotency key) and when it happened. */
export abstract class EventEnvelope {
  @IsUUID()
  eventId: string;

  @IsISO8601()
  occurredAt: string;
}

export interface ErrorReply {
  code: string;
  message: string;
  details?: unknown;
}
