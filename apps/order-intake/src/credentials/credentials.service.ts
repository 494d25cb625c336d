import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { RestaurantCredentialRotateRequest } from '#contracts';
import { RotateCredentialRequest, type RotatedCredential } from '#platform';
import { decodeBody } from '../orders/decode-body.js';
import type { RestaurantEntity } from '../restaurants/restaurant.entity.js';
import type { RestaurantCredential } from '../restaurants/restaurants.repository.js';
import { RestaurantsService } from '../restaurants/restaurants.service.js';
import { CredentialRotationsRepository } from './credential-rotations.repository.js';
import { rotateRestaurantCredential } from './restaurant-rotation.js';

/** One credential's rotation state, as the restaurant (and its agency) reads it. */
export interface CredentialState {
  /** When it was last rotated; null: never. */
  rotatedAt: string | null;
  /** Until when the credential the last rotation replaced works; null: never rotated. */
  previousValidUntil: string | null;
  /** Whether that replaced credential still works now. */
  previousValid: boolean;
}

export interface CredentialsView {
  restaurantId: string;
  webhookSecret: CredentialState;
  apiKey: CredentialState;
}

/** An empty body asks for the default overlap. */
function rotationRequest(body: Buffer): RotateCredentialRequest {
  if (body.length === 0) return {};
  const decoded = decodeBody(RotateCredentialRequest, body);
  if (!decoded.ok) throw decoded.error;
  return decoded.value;
}

function state(rotatedAt: Date | undefined, until: Date | null, now: Date): CredentialState {
  return { rotatedAt: rotatedAt?.toISOString() ?? null, previousValidUntil: until?.toISOString() ?? null, previousValid: until !== null && until > now };
}

/** Rotating a restaurant's webhook secret and API key, by the restaurant itself or its agency, and when the replaced ones stop working. */
@Injectable()
export class RestaurantCredentials {
  constructor(
    private readonly dataSource: DataSource,
    private readonly restaurants: RestaurantsService,
    private readonly rotations: CredentialRotationsRepository,
  ) {}

  async rotateOwn(authorization: string | undefined, restaurantId: string, credential: RestaurantCredential, body: Buffer): Promise<RotatedCredential> {
    const restaurant = await this.restaurants.authenticateAs(authorization, restaurantId);
    return this.rotate({ restaurantId: restaurant.id, credential, request: rotationRequest(body), rotatedBy: 'restaurant API key' });
  }

  rotateForAgency(agencyId: string, restaurantId: string, credential: RestaurantCredential, body: Buffer): Promise<RotatedCredential> {
    return this.rotate({ restaurantId, agencyId: agencyId.toLowerCase(), credential, request: rotationRequest(body), rotatedBy: 'agency API key' });
  }

  /** For an agency's operator, through dispatch (`restaurant.credential-rotate`). */
  rotateForOperator(request: RestaurantCredentialRotateRequest): Promise<RotatedCredential> {
    const { agencyId, restaurantId, credential, overlapHours, rotatedBy } = request;
    return this.rotate({ restaurantId, agencyId: agencyId.toLowerCase(), credential, request: { overlapHours }, rotatedBy });
  }

  async own(authorization: string | undefined, restaurantId: string): Promise<CredentialsView> {
    return this.view(await this.restaurants.authenticateAs(authorization, restaurantId));
  }

  private async rotate(rotation: Parameters<typeof rotateRestaurantCredential>[1]): Promise<RotatedCredential> {
    const rotated = await rotateRestaurantCredential(this.dataSource, rotation);
    this.restaurants.forget(rotated.id);
    return rotated;
  }

  private async view(restaurant: RestaurantEntity): Promise<CredentialsView> {
    const last = await this.rotations.lastOf(restaurant.id);
    const now = new Date();
    return {
      restaurantId: restaurant.id,
      webhookSecret: state(last['webhook-secret'], restaurant.previousWebhookSecretUntil, now),
      apiKey: state(last['api-key'], restaurant.previousApiKeyUntil, now),
    };
  }
}
