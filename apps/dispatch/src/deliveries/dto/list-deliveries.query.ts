import { Transform, Type } from 'class-transformer';
import { ArrayNotEmpty, IsArray, IsIn, IsInt, IsOptional, Max, Min } from 'class-validator';
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
}
