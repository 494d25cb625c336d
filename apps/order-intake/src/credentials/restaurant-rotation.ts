import { isUUID } from 'class-validator';
import type { DataSource } from 'typeorm';
import { validateContract } from '#contracts';
import { DomainError, overlapEnd, RotateCredentialRequest, type RotatedCredential } from '#platform';
import { hashApiKey, newApiKey, newWebhookSecret } from '../restaurants/restaurant-credentials.js';
import { RestaurantsRepository, type RestaurantCredential } from '../restaurants/restaurants.repository.js';
import { CredentialRotationsRepository } from './credential-rotations.repository.js';

export interface RestaurantRotation {
  restaurantId: string;
  credential: RestaurantCredential;
  /** As the body of a `…/rotate` route gives it; checked here. */
  request: unknown;
  /** Who asks, as the record shows it: `restaurant API key`, `agency API key`, `admin CLI`. */
  rotatedBy: string;
  /** When an agency asks: the restaurant must be one of its own. */
  agencyId?: string;
}

/**
 * Replaces a restaurant's webhook secret or API key; the one replaced keeps working for the requested overlap
 * (24 h by default, 0 for at once), and a credential an earlier rotation kept is dropped at once. The change and its
 * record commit together. The webhook secret stays retrievable (verifying an HMAC needs it); an API key is kept
 * as its hash only, so the new one is in this answer and nowhere else. Used by the HTTP routes and the admin CLI.
 */
export async function rotateRestaurantCredential(dataSource: DataSource, rotation: RestaurantRotation): Promise<RotatedCredential> {
  const validated = validateContract(RotateCredentialRequest, rotation.request ?? {});
  if (!validated.ok) throw DomainError.validation(validated.errors);
  const restaurants = new RestaurantsRepository(dataSource);
  const restaurant = isUUID(rotation.restaurantId) ? await restaurants.findById(rotation.restaurantId.toLowerCase()) : null;
  if (!restaurant || (rotation.agencyId !== undefined && restaurant.agencyId !== rotation.agencyId)) {
    throw new DomainError('RESTAURANT_NOT_FOUND', `no restaurant ${rotation.restaurantId}`);
  }
  const secret = rotation.credential === 'webhook-secret' ? newWebhookSecret() : newApiKey();
  const rotatedAt = new Date();
  const previousUntil = overlapEnd(rotatedAt, validated.value.overlapHours);
  await dataSource.transaction(async (manager) => {
    const stored = rotation.credential === 'webhook-secret' ? secret : hashApiKey(secret);
    if (!(await restaurants.rotate(manager, restaurant.id, rotation.credential, stored, previousUntil))) {
      throw new DomainError('RESTAURANT_NOT_FOUND', `no restaurant ${rotation.restaurantId}`);
    }
    await new CredentialRotationsRepository(dataSource).record(manager, { restaurantId: restaurant.id, credential: rotation.credential, rotatedBy: rotation.rotatedBy, rotatedAt, previousUntil });
  });
  return {
    credential: rotation.credential === 'webhook-secret' ? 'webhook-secret' : 'restaurant-key',
    id: restaurant.id,
    secret,
    rotatedAt: rotatedAt.toISOString(),
    previousValidUntil: previousUntil.toISOString(),
  };
}
