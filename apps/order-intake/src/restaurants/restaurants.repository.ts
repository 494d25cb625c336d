import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { RestaurantEntity } from './restaurant.entity.js';

export type NewRestaurant = Omit<RestaurantEntity, 'createdAt' | 'disabledAt' | 'previousWebhookSecret' | 'previousWebhookSecretUntil' | 'previousApiKeyHash' | 'previousApiKeyUntil'>;

/** What an agency may change of a restaurant by hand. */
export type RestaurantChanges = Partial<Pick<RestaurantEntity, 'name' | 'address' | 'lng' | 'lat' | 'callbackUrl' | 'defaultCookingMinutes' | 'disabledAt'>>;

/** A restaurant credential that can be rotated, as its columns name it. */
export type RestaurantCredential = 'webhook-secret' | 'api-key';

const ROTATE: Record<RestaurantCredential, string> = {
  'webhook-secret': `previous_webhook_secret = webhook_secret, previous_webhook_secret_until = $3, webhook_secret = $2`,
  'api-key': `previous_api_key_hash = api_key_hash, previous_api_key_until = $3, api_key_hash = $2`,
};

@Injectable()
export class RestaurantsRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Inserts with `manager` when given, so the restaurant commits with what the caller writes beside it. */
  async insert(restaurant: NewRestaurant, manager: EntityManager = this.dataSource.manager): Promise<void> {
    await manager.getRepository(RestaurantEntity).insert(restaurant);
  }

  /** The agency's restaurants by name. */
  listByAgency(agencyId: string): Promise<RestaurantEntity[]> {
    return this.dataSource.getRepository(RestaurantEntity).find({ where: { agencyId }, order: { name: 'ASC', id: 'ASC' } });
  }

  /** Locks the restaurant's row for the rest of the caller's transaction, so concurrent changes see each other. */
  lock(manager: EntityManager, id: string): Promise<RestaurantEntity | null> {
    return manager.getRepository(RestaurantEntity).findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
  }

  async update(manager: EntityManager, id: string, changes: RestaurantChanges): Promise<void> {
    await manager.getRepository(RestaurantEntity).update({ id }, changes);
  }

  findById(id: string): Promise<RestaurantEntity | null> {
    return this.dataSource.getRepository(RestaurantEntity).findOneBy({ id });
  }

  findByAgency(agencyId: string): Promise<RestaurantEntity[]> {
    return this.dataSource.getRepository(RestaurantEntity).find({ where: { agencyId }, order: { name: 'ASC', id: 'ASC' } });
  }

  /** The restaurant whose current or replaced API key has this hash (whether the replaced one still works is the caller's to say). */
  findByApiKeyHash(apiKeyHash: string): Promise<RestaurantEntity | null> {
    return this.dataSource.getRepository(RestaurantEntity).findOne({ where: [{ apiKeyHash }, { previousApiKeyHash: apiKeyHash }] });
  }

  /**
   * Replaces a credential (`stored`: the secret, or the key's hash), keeping the one it replaces until `until`;
   * whatever an earlier rotation had kept is dropped. False when there is no such restaurant.
   */
  async rotate(manager: EntityManager, id: string, credential: RestaurantCredential, stored: string, until: Date): Promise<boolean> {
    const [, count] = (await manager.query(`UPDATE intake.restaurants SET ${ROTATE[credential]} WHERE id = $1`, [id, stored, until])) as [unknown, number];
    return count === 1;
  }

  /** Sets (or, with null, removes) where the restaurant's status callbacks go, inside the caller's transaction. */
  async setCallbackUrl(manager: EntityManager, id: string, callbackUrl: string | null): Promise<void> {
    await manager.getRepository(RestaurantEntity).update({ id }, { callbackUrl });
  }

  async setDefaultCookingMinutes(id: string, minutes: number | null): Promise<void> {
    await this.dataSource.getRepository(RestaurantEntity).update({ id }, { defaultCookingMinutes: minutes });
  }
}
