import { IsISO8601, IsOptional, IsUUID } from 'class-validator';
import { GeoPoint, KOREA_BOUNDS, validateContract, type Validated } from '#contracts';

/** `location`: where the rider is, and optionally when the device took that fix. */
export class LocationReport extends GeoPoint {
  @IsOptional()
  @IsISO8601({ strict: true, strictSeparator: true }, { message: 'must be an ISO 8601 time, like 2026-11-22T03:15:55.349Z' })
  at?: string;
}

/**
 * Reads a `location` message. Positions are most of what riders send (one every few seconds from each), so the
 * usual one, exactly `{ lng, lat }` with both numbers inside South Korea, is taken as it is: the contract's
 * validation would accept it unchanged. Anything else goes through that validation, for the same value or the
 * same errors.
 */
export function readLocation(body: unknown): Validated<LocationReport> {
  if (isPlainPoint(body)) return { ok: true, value: Object.assign(new LocationReport(), { lng: body.lng, lat: body.lat }) };
  return validateContract(LocationReport, body);
}

function isPlainPoint(body: unknown): body is { lng: number; lat: number } {
  if (body === null || typeof body !== 'object' || Array.isArray(body) || Object.keys(body).length !== 2) return false;
  const { lng, lat } = body as Record<string, unknown>;
  // Comparisons are false for NaN, and the bounds are finite.
  return (
    typeof lng === 'number' &&
    typeof lat === 'number' &&
    lng >= KOREA_BOUNDS.minLng &&
    lng <= KOREA_BOUNDS.maxLng &&
    lat >= KOREA_BOUNDS.minLat &&
    lat <= KOREA_BOUNDS.maxLat
  );
}

/** `offer:accept`, `offer:decline` and `offer:seen`. */
export class OfferAnswer {
  @IsUUID('all', { message: 'must be the offerId of an offer you received' })
  offerId: string;
}

/** `delivery:pickedUp` and `delivery:delivered`. */
export class DeliveryReport {
  @IsUUID('all', { message: 'must be the deliveryId of a delivery assigned to you' })
  deliveryId: string;

  /** When it happened by the device's clock, for a report the app kept while offline; without it, when received. */
  @IsOptional()
  @IsISO8601({ strict: true, strictSeparator: true }, { message: 'must be an ISO 8601 time, like 2026-11-22T03:15:55.349Z' })
  at?: string;
}
