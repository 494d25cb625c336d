import { IsISO8601, IsOptional, IsUUID } from 'class-validator';
import { GeoPoint } from '#contracts';

/** `location`: where the rider is, and optionally when the device took that fix. */
export class LocationReport extends GeoPoint {
  @IsOptional()
  @IsISO8601({ strict: true, strictSeparator: true }, { message: 'must be an ISO 8601 time, like 2026-11-22T03:15:55.349Z' })
  at?: string;
}

/** `offer:accept` and `offer:decline`. */
export class OfferAnswer {
  @IsUUID('all', { message: 'must be the offerId of an offer you received' })
  offerId: string;
}

/** `delivery:pickedUp` and `delivery:delivered`. */
export class DeliveryReport {
  @IsUUID('all', { message: 'must be the deliveryId of a delivery assigned to you' })
  deliveryId: string;
}
