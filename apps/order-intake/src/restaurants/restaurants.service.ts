import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '#config';
import { bearerToken, DomainError, replacedKeyRefusal } from '#platform';
import { decodeBody } from '../orders/decode-body.js';
import { SetCookingTimeRequest, type CookingTimeView } from './dto/set-cooking-time.request.js';
import { hashApiKey } from './restaurant-credentials.js';
import type { RestaurantEntity } from './restaurant.entity.js';
import { RestaurantsRepository } from './restaurants.repository.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const isUuid = (value: string | undefined): value is string => typeof value === 'string' && UUID.test(value);

/**
 * How long a restaurant stays cached for webhooks. Every order looks its restaurant up, and restaurants
 * change rarely; a rotated secret takes effect within this time. Unknown ids are not cached, so a restaurant
 * is usable the moment it is provisioned.
 */
const CACHE_MS = 10_000;
const CACHE_MAX = 10_000;

/** RESTAURANT_DISABLED for a restaurant its agency disabled; asked only once the caller proved it is the restaurant (or its agency). */
export function assertEnabled(restaurant: RestaurantEntity): void {
  if (restaurant.disabledAt) {
    throw new DomainError('RESTAURANT_DISABLED', `restaurant ${restaurant.id} was disabled by its agency at ${restaurant.disabledAt.toISOString()}`, {
      disabledAt: restaurant.disabledAt.toISOString(),
    });
  }
}

@Injectable()
export class RestaurantsService {
  private readonly cache = new Map<string, { restaurant: RestaurantEntity; until: number }>();

  constructor(
    private readonly restaurants: RestaurantsRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** The restaurant a webhook is addressed to, or RESTAURANT_NOT_FOUND. */
  async forWebhook(restaurantId: string): Promise<RestaurantEntity> {
    const id = restaurantId.toLowerCase();
    const cached = this.cache.get(id);
    if (cached && cached.until > Date.now()) return cached.restaurant;
    const restaurant = isUuid(id) ? await this.restaurants.findById(id) : null;
    if (!restaurant) throw new DomainError('RESTAURANT_NOT_FOUND', `no restaurant ${restaurantId}`);
    if (this.cache.size >= CACHE_MAX) this.cache.clear();
    this.cache.set(id, { restaurant, until: Date.now() + CACHE_MS });
    return restaurant;
  }

  /** An agency's restaurants, by name. */
  ofAgency(agencyId: string): Promise<RestaurantEntity[]> {
    return this.restaurants.findByAgency(agencyId);
  }

  /** Forgets a restaurant its agency changed or whose credentials rotated, so this instance's webhooks see it at once. */
  forget(restaurantId: string): void {
    this.cache.delete(restaurantId);
  }

  /**
   * The restaurant owning the API key in an `Authorization: Bearer <key>` header, or UNAUTHENTICATED; a key a
   * rotation replaced works until its window ends, and is then refused saying so; RESTAURANT_DISABLED while disabled.
   */
  async authenticate(authorization: string | undefined): Promise<RestaurantEntity> {
    const key = bearerToken(authorization);
    const hash = key && hashApiKey(key);
    const restaurant = hash ? await this.restaurants.findByApiKeyHash(hash) : null;
    if (!restaurant) {
      throw new DomainError('UNAUTHENTICATED', 'send the restaurant API key as "Authorization: Bearer <key>"');
    }
    if (restaurant.apiKeyHash !== hash && restaurant.previousApiKeyUntil! <= new Date()) {
      throw replacedKeyRefusal('API key', restaurant.previousApiKeyUntil!);
    }
    assertEnabled(restaurant);
    return restaurant;
  }

  /**
   * The restaurant owning the API key, which must be the restaurant named in the path: another restaurant's
   * path is RESTAURANT_NOT_FOUND, so a key does not tell which other restaurants exist.
   */
  async authenticateAs(authorization: string | undefined, restaurantId: string): Promise<RestaurantEntity> {
    const restaurant = await this.authenticate(authorization);
    if (restaurantId.toLowerCase() !== restaurant.id) throw new DomainError('RESTAURANT_NOT_FOUND', `no restaurant ${restaurantId}`);
    return restaurant;
  }

  /** Sets or removes the restaurant's callback URL inside the caller's transaction. */
  setCallbackUrl(manager: EntityManager, restaurantId: string, callbackUrl: string | null): Promise<void> {
    return this.restaurants.setCallbackUrl(manager, restaurantId, callbackUrl);
  }

  async cookingTime(authorization: string | undefined, restaurantId: string): Promise<CookingTimeView> {
    const restaurant = await this.authenticateAs(authorization, restaurantId);
    return { minutes: restaurant.defaultCookingMinutes, defaultMinutes: this.config.intake.defaultCookingMinutes };
  }

  /**
   * Sets the usual cooking time from a JSON body `{ minutes }` (null: the service's default). Orders take it at
   * once on this instance; other instances within their cache's CACHE_MS.
   */
  async setCookingTime(authorization: string | undefined, restaurantId: string, body: Buffer): Promise<CookingTimeView> {
    const restaurant = await this.authenticateAs(authorization, restaurantId);
    const decoded = decodeBody(SetCookingTimeRequest, body);
    if (!decoded.ok) throw decoded.error;
    await this.restaurants.setDefaultCookingMinutes(restaurant.id, decoded.value.minutes);
    this.cache.delete(restaurant.id);
    return { minutes: decoded.value.minutes, defaultMinutes: this.config.intake.defaultCookingMinutes };
  }
}
