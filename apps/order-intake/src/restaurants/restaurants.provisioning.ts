import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { validateContract } from '#contracts';
import { DomainError } from '#platform';
import type { DestinationPolicy } from '../callbacks/callback-destination.js';
import { destinationRefusal, systemResolver, type HostResolver } from '../callbacks/callback-destinations.js';
import { normalizeCallbackUrl } from '../callbacks/callback-url.js';
import { ProvisionRestaurantInput } from './dto/provision-restaurant.input.js';
import { hashApiKey, newApiKey, newWebhookSecret } from './restaurant-credentials.js';
import { RestaurantsRepository, type NewRestaurant } from './restaurants.repository.js';

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
  const { restaurant, provisioned } = await prepareRestaurant(input, destinations);
  await new RestaurantsRepository(dataSource).insert(restaurant);
  return provisioned;
}

/**
 * A restaurant ready to insert, with its fresh credentials, from input checked as `provisionRestaurant` checks it
 * (VALIDATION_FAILED naming each bad field), for callers that insert it in their own transaction.
 */
export async function prepareRestaurant(
  input: unknown,
  destinations: DestinationPolicy & { resolve?: HostResolver },
): Promise<{ restaurant: NewRestaurant; provisioned: ProvisionedRestaurant }> {
  const { agencyId, name, address, lng, lat, callbackUrl, defaultCookingMinutes } = await checkRestaurantInput(input, destinations);
  const restaurantId = randomUUID();
  const webhookSecret = newWebhookSecret();
  const apiKey = newApiKey();
  const storedCallbackUrl = callbackUrl ?? null;
  return {
    restaurant: {
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
    },
    provisioned: { restaurantId, webhookSecret, apiKey, callbackUrl: storedCallbackUrl, defaultCookingMinutes: defaultCookingMinutes ?? null },
  };
}

/**
 * A restaurant's fields checked as an operator gives them: VALIDATION_FAILED naming each bad field, the callback URL
 * normalised and its host checked (public unless `destinations` allows private networks).
 */
export async function checkRestaurantInput(input: unknown, destinations: DestinationPolicy & { resolve?: HostResolver }): Promise<ProvisionRestaurantInput> {
  const validated = validateContract(ProvisionRestaurantInput, input);
  if (!validated.ok) throw DomainError.validation(validated.errors);
  const { callbackUrl } = validated.value;
  if (callbackUrl === undefined || callbackUrl === null) return validated.value;
  const normalized = normalizeCallbackUrl(callbackUrl);
  const refusal = await destinationRefusal(normalized, destinations, destinations.resolve ?? systemResolver);
  if (refusal) throw DomainError.validation([{ field: 'callbackUrl', value: callbackUrl, reason: refusal }]);
  return { ...validated.value, callbackUrl: normalized };
}
