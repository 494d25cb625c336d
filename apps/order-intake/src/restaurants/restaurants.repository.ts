import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { RestaurantEntity } from './restaurant.entity.js';

export type NewRestaurant = Omit<RestaurantEntity, 'createdAt' | 'disabledAt'>;

/** What an agency may change of a restaurant by hand. */
export type RestaurantChanges = Partial<Pick<RestaurantEntity, 'name' | 'address' | 'lng' | 'lat' | 'callbackUrl' | 'defaultCookingMinutes' | 'disabledAt'>>;

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

  findByApiKeyHash(apiKeyHash: string): Promise<RestaurantEntity | null> {
    return this.dataSource.getRepository(RestaurantEntity).findOneBy({ apiKeyHash });
  }

  /** Sets (or, with null, removes) where the restaurant's status callbacks go, inside the caller's transaction. */
  async setCallbackUrl(manager: EntityManager, id: string, callbackUrl: string | null): Promise<void> {
    await manager.getRepository(RestaurantEntity).update({ id }, { callbackUrl });
  }

  async setDefaultCookingMinutes(id: string, minutes: number | null): Promise<void> {
    await this.dataSource.getRepository(RestaurantEntity).update({ id }, { defaultCookingMinutes: minutes });
  }
}
