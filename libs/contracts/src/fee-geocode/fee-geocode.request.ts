import { IsBoolean, IsNumber, IsOptional, IsString, Length } from 'class-validator';
import { RouteAttempt } from '../fee-quote/fee-quote.request.js';
import { Nested } from '../common/nested.js';

/**
 * Request/reply: the point of an address, through fee's map chain (Kakao Local, Naver, then fee's geocode cache).
 * Failure answers a domain error: `ADDRESS_NOT_FOUND` when every provider asked said so, `UPSTREAM_UNAVAILABLE`
 * when none could answer and the address was not seen before; both with `details: { attempts }`.
 */
export const FEE_GEOCODE = 'fee.geocode';

export class FeeGeocodeRequest {
  @IsString()
  @Length(1, 300)
  address: string;

  /** Correlates the geocode with an order in logs. */
  @IsOptional()
  @IsString()
  @Length(1, 100)
  orderId?: string;
}

/** A point with its provenance: who placed it, whether from the cache, and what was tried. */
export class FeeGeocode {
  @IsNumber()
  lng: number;

  @IsNumber()
  lat: number;

  @IsString()
  provider: string;

  @IsBoolean()
  cached: boolean;

  @Nested(() => RouteAttempt, { each: true })
  attempts: RouteAttempt[];
}
