import { Controller, Get, Headers, Inject, Param, Req, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { APP_CONFIG, type AppConfig } from '#config';
import { AgencyKeyGuard, ApiErrors, RotateRoute, type RotatedCredential } from '#platform';
import type { RestaurantCredential } from '../restaurants/restaurants.repository.js';
import { readRawBody } from '../webhooks/raw-body.js';
import { RestaurantCredentials, type CredentialsView } from './credentials.service.js';

/** A rotation's body is a few bytes. */
const MAX_BODY_BYTES = 1024;

const STATE = {
  type: 'object',
  required: ['rotatedAt', 'previousValidUntil', 'previousValid'],
  properties: {
    rotatedAt: { type: ['string', 'null'], format: 'date-time', description: 'Last rotated; null: never' },
    previousValidUntil: { type: ['string', 'null'], format: 'date-time', description: 'When the one the last rotation replaced stops (stopped) working' },
    previousValid: { type: 'boolean', description: 'Whether the replaced one still works now' },
  },
};
const CREDENTIALS = { type: 'object', required: ['restaurantId', 'webhookSecret', 'apiKey'], properties: { restaurantId: { type: 'string', format: 'uuid' }, webhookSecret: STATE, apiKey: STATE } };
const BODY_ERRORS = ['PAYLOAD_TOO_LARGE', 'INVALID_JSON', 'VALIDATION_FAILED', 'RESTAURANT_NOT_FOUND'] as const;

/** A restaurant rotates its own credentials with its API key (docs/webhooks.md#rotating-credentials). */
@ApiTags('restaurants')
@ApiBearerAuth('restaurantKey')
@Controller('v1/restaurants/:restaurantId')
export class RestaurantCredentialsController {
  constructor(
    private readonly credentials: RestaurantCredentials,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get('credentials')
  @ApiOperation({ summary: 'When the webhook secret and API key were last rotated, and when the ones replaced stop working' })
  @ApiResponse({ status: 200, description: 'Rotation state of both credentials', schema: CREDENTIALS })
  @ApiErrors(['UNAUTHENTICATED', 'RESTAURANT_NOT_FOUND'])
  state(@Param('restaurantId') restaurantId: string, @Headers('authorization') authorization: string | undefined): Promise<CredentialsView> {
    return this.credentials.own(authorization, restaurantId);
  }

  @RotateRoute('webhook-secret/rotate', 'A new webhook secret; the old one keeps verifying for `overlapHours` (24 by default, 0: at once)', ['UNAUTHENTICATED', ...BODY_ERRORS])
  async rotateSecret(@Param('restaurantId') restaurantId: string, @Headers('authorization') authorization: string | undefined, @Req() request: Request): Promise<RotatedCredential> {
    return this.credentials.rotateOwn(authorization, restaurantId, 'webhook-secret', await this.body(request));
  }

  @RotateRoute('api-key/rotate', 'A new API key; the old one keeps working for `overlapHours` (24 by default, 0: at once)', ['UNAUTHENTICATED', ...BODY_ERRORS])
  async rotateKey(@Param('restaurantId') restaurantId: string, @Headers('authorization') authorization: string | undefined, @Req() request: Request): Promise<RotatedCredential> {
    return this.credentials.rotateOwn(authorization, restaurantId, 'api-key', await this.body(request));
  }

  private body(request: Request): Promise<Buffer> {
    return readRawBody(request, Math.min(MAX_BODY_BYTES, this.config.intake.maxBodyBytes));
  }
}

/** An agency rotates its restaurants' credentials with its API key (docs/agency-api.md#rotating-keys-and-tokens). */
@ApiTags('restaurants')
@ApiBearerAuth('agencyKey')
@UseGuards(AgencyKeyGuard)
@Controller('v1/agencies/:agencyId/restaurants/:restaurantId')
export class AgencyRestaurantCredentialsController {
  constructor(
    private readonly credentials: RestaurantCredentials,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @RotateRoute('webhook-secret/rotate', "A new webhook secret for one of the agency's restaurants; the old one keeps verifying for `overlapHours`", ['UNAUTHENTICATED', 'AGENCY_NOT_FOUND', ...BODY_ERRORS])
  rotateSecret(@Param('agencyId') agencyId: string, @Param('restaurantId') restaurantId: string, @Req() request: Request): Promise<RotatedCredential> {
    return this.rotate(agencyId, restaurantId, 'webhook-secret', request);
  }

  @RotateRoute('api-key/rotate', "A new API key for one of the agency's restaurants; the old one keeps working for `overlapHours`", ['UNAUTHENTICATED', 'AGENCY_NOT_FOUND', ...BODY_ERRORS])
  rotateKey(@Param('agencyId') agencyId: string, @Param('restaurantId') restaurantId: string, @Req() request: Request): Promise<RotatedCredential> {
    return this.rotate(agencyId, restaurantId, 'api-key', request);
  }

  private async rotate(agencyId: string, restaurantId: string, credential: RestaurantCredential, request: Request): Promise<RotatedCredential> {
    return this.credentials.rotateForAgency(agencyId, restaurantId, credential, await readRawBody(request, Math.min(MAX_BODY_BYTES, this.config.intake.maxBodyBytes)));
  }
}
