import { IsIn, IsInt, IsNumber, IsOptional, Max, Min } from 'class-validator';
import { OFFER_POLICIES, type OfferPolicy } from '../agency.entity.js';

/**
 * `PUT /v1/agencies/:agencyId/dispatch-settings`: the whole of the agency's settings. A field left out or
 * null falls back to the service's default, now and whenever that default changes.
 */
export class DispatchSettingsBody {
  @IsOptional()
  @IsIn(OFFER_POLICIES, { message: `must be one of ${OFFER_POLICIES.join(', ')}` })
  offerPolicy?: OfferPolicy | null;

  @IsOptional()
  @IsInt({ message: 'must be an integer' })
  @Min(1, { message: 'must be from 1 to 50' })
  @Max(50, { message: 'must be from 1 to 50' })
  broadcastSize?: number | null;

  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false }, { message: 'must be a number of seconds' })
  @Min(0.1, { message: 'must be from 0.1 to 600' })
  @Max(600, { message: 'must be from 0.1 to 600' })
  offerTimeoutSeconds?: number | null;
}
