import { IsOptional, IsUUID } from 'class-validator';
import { GeoPoint } from '#contracts';
import { IsCallbackUrl } from '../../callbacks/callback-url.js';
import { IsIntegerIn, IsText } from '../../orders/dto/field-rules.js';
import { MAX_COOKING_MINUTES } from '../../orders/order-timing.js';

/** A restaurant as an operator registers it; its location is where riders pick orders up. */
export class ProvisionRestaurantInput extends GeoPoint {
  @IsUUID('all', { message: 'must be a UUID' })
  agencyId: string;

  @IsText(1, 100)
  name: string;

  @IsText(1, 300)
  address: string;

  /** Where the restaurant's signed status callbacks go; without one, none are sent. */
  @IsOptional()
  @IsCallbackUrl()
  callbackUrl?: string;

  /** Minutes the kitchen usually needs: the ready time of its orders sent without one. Unset: DEFAULT_COOKING_MINUTES. */
  @IsOptional()
  @IsIntegerIn(0, MAX_COOKING_MINUTES)
  defaultCookingMinutes?: number;
}
