import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { RestaurantEntity } from './restaurant.entity.js';

export type NewRestaurant = Omit<RestaurantEntity, 'createdAt'>;

@Injectable()
export class RestaurantsRepository {
  constructor(private readonly dataSource: DataSource) {}

  async insert(restaurant: NewRestaurant): Promise<void> {
    await this.dataSource.getRepository(RestaurantEntity).insert(restaurant);
  }

  findById(id: string): Promise<RestaurantEntity | null> {
    return this.dataSource.getRepository(RestaurantEntity).findOneBy({ id });
  }

  findByAgency(agencyId: string): Promise<RestaurantEntity[]> {
    return this.dataSource.getRepository(RestaurantEntity).find({ where: { agencyId }, order: { name: 'ASC', id: 'ASC' } });
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
