import { IsUUID } from 'class-validator';

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
