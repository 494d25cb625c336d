import { Body, Controller, Get, Param } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Actor, AgencyRoutes, RotateCredentialRequest, RotateRoute, type AgencyActor } from '#platform';
import { AgencyCredentials } from './credentials.service.js';

/** The agency's owners rotate its API key, its riders' tokens and its restaurants' credentials, with an overlap window (docs/agency-api.md). */
@ApiTags('keys')
@Controller('v1/agencies/:agencyId')
@AgencyRoutes('owner')
export class AgencyCredentialsController {
  constructor(private readonly credentials: AgencyCredentials) {}

  @Get('api-key')
  @ApiOperation({ summary: 'How often the agency key was rotated, and when the key the last rotation replaced stops working' })
  @ApiResponse({
    status: 200,
    description: "The key's rotation state",
    schema: {
      type: 'object',
      required: ['rotations', 'previousValidUntil', 'previousValid'],
      properties: { rotations: { type: 'integer' }, previousValidUntil: { type: ['string', 'null'], format: 'date-time' }, previousValid: { type: 'boolean' } },
    },
  })
  keyState(@Actor() actor: AgencyActor) {
    return this.credentials.keyState(actor.agencyId);
  }

  @RotateRoute('api-key/rotate', 'A new agency API key; the old one keeps working for `overlapHours` (24 by default, 0: at once), here and on fee and order-intake', ['VALIDATION_FAILED'])
  rotateKey(@Actor() actor: AgencyActor, @Body() body: RotateCredentialRequest | undefined) {
    return this.credentials.rotateKey(actor, body);
  }

  @RotateRoute('restaurants/:restaurantId/webhook-secret/rotate', "A new webhook secret for one of the agency's restaurants (kept by order-intake); the old one keeps verifying for `overlapHours`", ['VALIDATION_FAILED', 'RESTAURANT_NOT_FOUND', 'UPSTREAM_UNAVAILABLE'])
  rotateRestaurantSecret(@Actor() actor: AgencyActor, @Param('restaurantId') restaurantId: string, @Body() body: RotateCredentialRequest | undefined) {
    return this.credentials.rotateRestaurantCredential(actor, restaurantId, 'webhook-secret', body);
  }

  @RotateRoute('restaurants/:restaurantId/api-key/rotate', "A new API key for one of the agency's restaurants (kept by order-intake); the old one keeps working for `overlapHours`", ['VALIDATION_FAILED', 'RESTAURANT_NOT_FOUND', 'UPSTREAM_UNAVAILABLE'])
  rotateRestaurantKey(@Actor() actor: AgencyActor, @Param('restaurantId') restaurantId: string, @Body() body: RotateCredentialRequest | undefined) {
    return this.credentials.rotateRestaurantCredential(actor, restaurantId, 'api-key', body);
  }

  @RotateRoute('riders/:riderId/token/rotate', "A new token for a rider; the old one keeps working for `overlapHours` (0: refused at once and the rider's sockets closed)", ['VALIDATION_FAILED', 'RIDER_NOT_FOUND'])
  rotateRiderToken(@Actor() actor: AgencyActor, @Param('riderId') riderId: string, @Body() body: RotateCredentialRequest | undefined) {
    return this.credentials.rotateRiderToken(actor, riderId, body);
  }
}
