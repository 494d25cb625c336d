import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { PATTERNS, RestaurantCredentialRotateRequest } from '#contracts';
import type { RotatedCredential } from '#platform';
import { RestaurantCredentials } from './credentials.service.js';

/** Dispatch asks on behalf of an agency's operator (the agency's own routes there check the session and role). */
@Controller()
export class CredentialsHandler {
  constructor(private readonly credentials: RestaurantCredentials) {}

  @MessagePattern(PATTERNS.RESTAURANT_CREDENTIAL_ROTATE)
  rotate(@Payload() request: RestaurantCredentialRotateRequest): Promise<RotatedCredential> {
    return this.credentials.rotateForOperator(request);
  }
}
