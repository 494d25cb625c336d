import { Transform, Type } from 'class-transformer';
import { ArrayNotEmpty, IsArray, IsIn, IsInt, IsISO8601, IsOptional, IsString, IsUUID, Length, Matches, Max, Min } from 'class-validator';
import { DELIVERY_STATUSES, type DeliveryStatus } from '../delivery-status.js';

/** `?status=pending,offered` (or `status` repeated): the statuses to show, any of them. */
function statusList({ value }: { value: unknown }): unknown {
  const parts = (Array.isArray(value) ? value : [value]).flatMap((part) => (typeof part === 'string' ? part.split(',') : [part]));
  return parts.map((part) => (typeof part === 'string' ? part.trim() : part)).filter((part) => part !== '');
}

export class ListDeliveriesQuery {
  @IsOptional()
  @Transform(statusList)
  @IsArray()
  @ArrayNotEmpty({ message: `must name at least one of ${DELIVERY_STATUSES.join(', ')}` })
  @IsIn(DELIVERY_STATUSES, { each: true, message: `must be one or more of ${DELIVERY_STATUSES.join(', ')}, separated by commas` })
  status?: DeliveryStatus[];

  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'must be an integer' })
  @Min(1)
  @Max(200)
  limit?: number;

  /** Text in the order id, the restaurant's order id, the pickup or drop-off address or the rider's name (any case). */
  @IsOptional()
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value))
  @IsString({ message: 'must be text' })
  @Length(1, 100, { message: 'must be 1 to 100 characters' })
  q?: string;

  /** The last 4 digits of the customer's phone. */
  @IsOptional()
  @Matches(/^\d{4}$/, { message: "must be the last 4 digits of the customer's phone" })
  phone?: string;

  @IsOptional()
  @IsUUID('all', { message: 'must be a restaurant id (a UUID)' })
  restaurantId?: string;

  @IsOptional()
  @IsUUID('all', { message: 'must be a rider id (a UUID)' })
  riderId?: string;

  /** Deliveries created at or after this instant (ISO 8601). */
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'must be an ISO 8601 instant' })
  from?: string;

  /** Deliveries created before this instant (ISO 8601). */
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'must be an ISO 8601 instant' })
  to?: string;

  /** The `next` of the page before: where this page starts. */
  @IsOptional()
  @Matches(/^\d{4}-\d{2}-\d{2}T[\d:.]+Z_[0-9a-f-]{36}$/, { message: 'must be the next value of the page before' })
  after?: string;
}

/** Which of an agency's deliveries the board shows, and where the page starts. */
export interface BoardFilter {
  statuses?: readonly DeliveryStatus[];
  limit: number;
  /** Text searched for, as typed (see ListDeliveriesQuery.q). */
  search?: string;
  phoneLast4?: string;
  restaurantId?: string;
  riderId?: string;
  from?: Date;
  to?: Date;
  /** The last delivery of the page before: this page is what comes after it, newest first. */
  after?: { createdAt: Date; id: string };
}

/** The board's filter from a valid query. */
export function boardFilter(query: ListDeliveriesQuery): BoardFilter {
  const [at, id] = query.after ? query.after.split('_') : [];
  return {
    statuses: query.status,
    limit: query.limit ?? 50,
    search: query.q,
    phoneLast4: query.phone,
    restaurantId: query.restaurantId?.toLowerCase(),
    riderId: query.riderId?.toLowerCase(),
    from: query.from ? new Date(query.from) : undefined,
    to: query.to ? new Date(query.to) : undefined,
    after: at && id ? { createdAt: new Date(at), id } : undefined,
  };
}

/** The `after` that continues the board past this delivery. */
export const pageCursor = (d: { createdAt: Date; id: string }) => `${d.createdAt.toISOString()}_${d.id}`;
