import { Type } from 'class-transformer';
import { IsBoolean, IsDefined, IsISO8601, IsInt, IsOptional, IsString, IsUUID, Min, ValidateNested } from 'class-validator';
import { GeoPoint } from '../common/geo-point.js';
import { Fee } from '../common/money.js';

/** Request/reply: dispatch (or anyone) asks fee for the price of a delivery. */
export const FEE_QUOTE = 'fee.quote';

export class FeeQuoteRequest {
  @IsDefined({ message: 'is required' })
  @ValidateNested()
  @Type(() => GeoPoint)
  pickup: GeoPoint;

  @IsDefined({ message: 'is required' })
  @ValidateNested()
  @Type(() => GeoPoint)
  dropoff: GeoPoint;

  @IsOptional()
  @IsUUID()
  agencyId?: string;

  /** Correlates the quote with an order in logs and in the fee service's records. */
  @IsOptional()
  @IsString()
  orderId?: string;

  @IsOptional()
  @IsISO8601()
  at?: string;
}

/** The answer: distance with its provenance, and the itemised fee. */
export class FeeQuote {
  @IsUUID()
  quoteId: string;

  @IsInt()
  @Min(0)
  distanceMeters: number;

  @IsInt()
  @Min(0)
  durationSeconds: number;

  @IsString()
  provider: string;

  @IsBoolean()
  estimated: boolean;

  @IsDefined({ message: 'is required' })
  @ValidateNested()
  @Type(() => Fee)
  fee: Fee;
}
