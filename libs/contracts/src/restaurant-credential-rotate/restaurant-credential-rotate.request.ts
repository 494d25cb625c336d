import { IsIn, IsNumber, IsOptional, IsString, IsUUID, Length } from 'class-validator';

/**
 * Request/reply, dispatch to order-intake: an agency's operator (an owner, with a session) rotates one of its
 * restaurants' credentials, which intake keeps. Intake answers the rotation (the new secret or key, shown once) or a
 * domain error: `RESTAURANT_NOT_FOUND` (not the agency's), `VALIDATION_FAILED` (the overlap).
 */
export const RESTAURANT_CREDENTIAL_ROTATE = 'restaurant.credential-rotate';

export class RestaurantCredentialRotateRequest {
  @IsUUID()
  agencyId: string;

  @IsString()
  @Length(1, 100)
  restaurantId: string;

  @IsIn(['webhook-secret', 'api-key'])
  credential: 'webhook-secret' | 'api-key';

  /** Checked by intake as on its own routes (0 to 168; left out: 24). */
  @IsOptional()
  @IsNumber()
  overlapHours?: number;

  /** Who asked, as intake's record of rotations shows it: the operator's name and email, or the agency API key. */
  @IsString()
  @Length(1, 300)
  rotatedBy: string;
}
