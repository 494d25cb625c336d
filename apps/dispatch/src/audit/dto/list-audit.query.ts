import { Type } from 'class-transformer';
import { IsDate, IsIn, IsInt, IsOptional, IsString, Matches, Max, Min, ValidateIf } from 'class-validator';
import { AUDIT_ACTIONS } from '../audit-actions.js';

/** `GET …/audit-log`: filters and paging. */
export class ListAuditQuery {
  /** An operator's id, or `key` for the agency API key. */
  @IsOptional()
  @ValidateIf((_, v) => v !== 'key')
  @Matches(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, { message: "must be an operator's id or key" })
  actor?: string;

  @IsOptional()
  @IsIn(AUDIT_ACTIONS, { message: `must be one of ${AUDIT_ACTIONS.join(', ')}` })
  action?: string;

  @IsOptional()
  @Type(() => Date)
  @IsDate({ message: 'must be an ISO 8601 date-time' })
  from?: Date;

  @IsOptional()
  @Type(() => Date)
  @IsDate({ message: 'must be an ISO 8601 date-time' })
  to?: Date;

  /** The `nextBefore` of the page before. */
  @IsOptional()
  @IsString()
  @Matches(/^[1-9]\d{0,17}$/, { message: 'must be the nextBefore of a page' })
  before?: string;

  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'must be an integer from 1 to 200' })
  @Min(1, { message: 'must be an integer from 1 to 200' })
  @Max(200, { message: 'must be an integer from 1 to 200' })
  limit?: number;
}
