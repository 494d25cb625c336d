import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { validateContract } from '#contracts';
import { DomainError } from '#platform';
import type { DestinationPolicy } from '../callbacks/callback-destination.js';
import { destinationRefusal, systemResolver, type HostResolver } from '../callbacks/callback-destinations.js';
import { normalizeCallbackUrl } from '../callbacks/callback-url.js';
import { ProvisionRestaurantInput } from './dto/provision-restaurant.input.js';
import { hashApiKey, newApiKey, newWebhookSecret } from './restaurant-credentials.js';
import { RestaurantsRepository } from './restaurants.repository.js';

export interface ProvisionedRestaurant {
  restaurantId: string;
  /** Signs the restaurant's order webhooks; it can be shown again later. */
  webhookSecret: string;
  /** Reads the restaurant's orders; shown only now, only its hash is kept. */
  apiKey: string;
  /** Where its status callbacks go, as stored; null: none are sent. */
  callbackUrl: string | null;
  /** Its usual cooking time in minutes; null: the system's default applies. */
  defaultCookingMinutes: number | null;
}

/**
 * Registers a restaurant with fresh credentials. Used by the admin CLI and the demo seeding with a data source
 * built from INTAKE_DATABASE and migrated. Throws VALIDATION_FAILED naming each bad field. With a `callbackUrl`
 * the restaurant is sent a signed callback for every status change of its orders; its host must be public unless
 * `destinations` allows private networks (tests only, as CALLBACK_ALLOW_PRIVATE_NETWORKS).
 */
export async function provisionRestaurant(
  dataSource: DataSource,
  input: { agencyId: string; name: string; address: string; lng: number; lat: number; callbackUrl?: string; defaultCookingMinutes?: number },
  destinations: DestinationPolicy & { resolve?: HostResolver } = { allowPrivateNetworks: false },
): Promise<ProvisionedRestaurant> {
  const validated = validateContract(ProvisionRestaurantInput, input);
  if (!validated.ok) throw DomainError.validation(validated.errors);
  const { agencyId, name, address, lng, lat, callbackUrl, defaultCookingMinutes } = validated.value;
  const restaurantId = randomUUID();
  const webhookSecret = newWebhookSecret();
  const apiKey = newApiKey();
  const storedCallbackUrl = callbackUrl === undefined ? null : normalizeCallbackUrl(callbackUrl);
  const refusal = storedCallbackUrl && (await destinationRefusal(storedCallbackUrl, destinations, destinations.resolve ?? systemResolver));
  if (refusal) throw DomainError.validation([{ field: 'callbackUrl', value: callbackUrl, reason: refusal }]);
  await new RestaurantsRepository(dataSource).insert({
    id: restaurantId,
    agencyId,
    name,
    address,
    lng,
    lat,
    webhookSecret,
    apiKeyHash: hashApiKey(apiKey),
    callbackUrl: storedCallbackUrl,
    defaultCookingMinutes: defaultCookingMinutes ?? null,
  });
  return { restaurantId, webhookSecret, apiKey, callbackUrl: storedCallbackUrl, defaultCookingMinutes: defaultCookingMinutes ?? null };
}
