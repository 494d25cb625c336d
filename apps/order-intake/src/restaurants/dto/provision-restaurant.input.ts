import { IsUUID } from 'class-validator';
import { GeoPoint } from '#contracts';
import { IsText } from '../../orders/dto/field-rules.js';

/** A restaurant as an operator registers it; its location is where riders pick orders up. */
export class ProvisionRestaurantInput extends GeoPoint {
  @IsUUID('all', { message: 'must be a UUID' })
  agencyId: string;

  @IsText(1, 100)
  name: string;

  @IsText(1, 300)
  address: string;
}
