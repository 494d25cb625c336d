import { Type } from 'class-transformer';
import { IsArray, IsBoolean, IsDefined, IsIn, IsInt, IsISO8601, IsNumber, IsOptional, IsString, IsUUID, Min, ValidateNested } from 'class-validator';
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

/** One map provider the quote's route tried or skipped, in order, and what came of it. */
export class RouteAttempt {
  @IsString()
  provider: string;

  /** e.g. `ok`, `timeout`, `unavailable`, `breaker_open`, `rate_limited`, `no_route`, `no_credentials`. */
  @IsString()
  outcome: string;

  @IsInt()
  @Min(0)
  ms: number;

  @IsOptional()
  @IsBoolean()
  skipped?: boolean;

  @IsOptional()
  @IsString()
  message?: string;
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

  /** Road distance ÷ straight line applied, when estimated. */
  @IsOptional()
  @IsNumber()
  detourFactor?: number;

  /** Where that factor came from: the area's calibration from real routes, or the configured default. */
  @IsOptional()
  @IsIn(['calibrated', 'default'])
  factorSource?: 'calibrated' | 'default';

  /** True when the route came from the route cache (then `provider` answered it originally). */
  @IsBoolean()
  cached: boolean;

  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => RouteAttempt)
  attempts: RouteAttempt[];

  @IsDefined({ message: 'is required' })
  @ValidateNested()
  @Type(() => Fee)
  fee: Fee;
}
