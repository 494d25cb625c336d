import { IsArray, IsBoolean, IsDefined, IsIn, IsInt, IsISO8601, isISO8601, IsNumber, IsOptional, IsString, IsUUID, isUUID, Length, Min, ValidateIf } from 'class-validator';
import { GeoPoint, KOREA_BOUNDS } from '../common/geo-point.js';
import { Fee } from '../common/money.js';
import { Nested } from '../common/nested.js';

/** Request/reply: dispatch (or anyone) asks fee for the price of a delivery. */
export const FEE_QUOTE = 'fee.quote';

export class FeeQuoteRequest {
  /** The agency whose tariff prices the trip. */
  @IsDefined({ message: 'is required' })
  @IsUUID()
  agencyId: string;

  /** Where the rider collects the order; or `pickupAddress`, which fee places on the map itself. */
  @ValidateIf((o: FeeQuoteRequest) => o.pickupAddress === undefined)
  @IsDefined({ message: 'is required unless pickupAddress is given' })
  @Nested(() => GeoPoint)
  pickup?: GeoPoint;

  @IsOptional()
  @IsString()
  @Length(1, 300)
  pickupAddress?: string;

  /** Where the customer is; or `dropoffAddress`. */
  @ValidateIf((o: FeeQuoteRequest) => o.dropoffAddress === undefined)
  @IsDefined({ message: 'is required unless dropoffAddress is given' })
  @Nested(() => GeoPoint)
  dropoff?: GeoPoint;

  @IsOptional()
  @IsString()
  @Length(1, 300)
  dropoffAddress?: string;

  /** Correlates the quote with an order in logs and in the fee service's records. */
  @IsOptional()
  @IsString()
  orderId?: string;

  /** Correlates the quote with dispatch's delivery in fee's logs. */
  @IsOptional()
  @IsUUID()
  deliveryId?: string;

  /** The moment to price for (night, weather, holidays, peak, the tariff version in force); default now. */
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'must be an ISO 8601 date-time' })
  at?: string;

  /** The usual request, read with the same checks but without class-transformer (see `ReadsPlain`). */
  static plain(value: unknown): FeeQuoteRequest | undefined {
    return plainFeeQuoteRequest(value);
  }
}

const REQUEST_KEYS = new Set(['agencyId', 'pickup', 'dropoff', 'orderId', 'deliveryId', 'at']);

/**
 * A request with both points and no addresses, every field as the contract wants it: the request every delivery's
 * price comes from. Anything else (an address, a missing, extra, null or odd field) is left to the full validation.
 */
function plainFeeQuoteRequest(value: unknown): FeeQuoteRequest | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const r = value as Record<string, unknown>;
  for (const key in r) if (!REQUEST_KEYS.has(key)) return undefined;
  if (!isUUID(r.agencyId)) return undefined;
  const pickup = plainPoint(r.pickup);
  const dropoff = plainPoint(r.dropoff);
  if (!pickup || !dropoff) return undefined;
  if (!(r.orderId === undefined || typeof r.orderId === 'string')) return undefined;
  if (!(r.deliveryId === undefined || isUUID(r.deliveryId))) return undefined;
  if (!(r.at === undefined || (typeof r.at === 'string' && isISO8601(r.at, { strict: true })))) return undefined;
  return Object.assign(new FeeQuoteRequest(), {
    agencyId: r.agencyId as string,
    pickup,
    dropoff,
    ...(r.orderId === undefined ? {} : { orderId: r.orderId }),
    ...(r.deliveryId === undefined ? {} : { deliveryId: r.deliveryId as string }),
    ...(r.at === undefined ? {} : { at: r.at }),
  });
}

function plainPoint(value: unknown): GeoPoint | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const { lng, lat, ...rest } = value as Record<string, unknown>;
  if (Object.keys(rest).length > 0 || typeof lng !== 'number' || typeof lat !== 'number') return undefined;
  if (!(lng >= KOREA_BOUNDS.minLng && lng <= KOREA_BOUNDS.maxLng && lat >= KOREA_BOUNDS.minLat && lat <= KOREA_BOUNDS.maxLat)) return undefined;
  return Object.assign(new GeoPoint(), { lng, lat });
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

/** The answer: distance with its provenance, the itemised fee and rider pay, and the tariff that priced it. */
export class FeeQuote {
  @IsUUID()
  quoteId: string;

  @IsUUID()
  agencyId: string;

  /** The version of the agency's tariff in force at `pricedAt`. */
  @IsInt()
  @Min(1)
  tariffVersion: number;

  /** The moment priced for: the request's `at`, or when the quote was made. */
  @IsISO8601()
  pricedAt: string;

  /** `route`: road distance from the map chain; `straight`: the straight line, as the agency's tariff says. */
  @IsIn(['route', 'straight'])
  distanceBasis: 'route' | 'straight';

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
  @Nested(() => RouteAttempt, { each: true })
  attempts: RouteAttempt[];

  @IsDefined({ message: 'is required' })
  @Nested(() => Fee)
  fee: Fee;

  /** What the rider is paid: the fee less the agency's commission, itemised. */
  @IsDefined({ message: 'is required' })
  @Nested(() => Fee)
  riderPay: Fee;
}
