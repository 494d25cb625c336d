import { IsISO8601, IsOptional, IsString, IsUUID, Matches } from 'class-validator';

/** Fields every event carries: its id (the consumer's idempotency key) and when it happened. */
export abstract class EventEnvelope {
  @IsUUID()
  eventId: string;

  @IsISO8601()
  occurredAt: string;

  /**
   * The id of the request that started the work the event reports (intake's webhook request, an agency's call),
   * when known: consumers put it on their log lines. Optional: older senders leave it out.
   */
  @IsOptional()
  @IsString()
  @Matches(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/, { message: 'must be an id of letters, digits and ._:- (at most 128)' })
  correlationId?: string;
}

export interface ErrorReply {
  code: string;
  message: string;
  details?: unknown;
}
