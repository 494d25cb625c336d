import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
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

  findByApiKeyHash(apiKeyHash: string): Promise<RestaurantEntity | null> {
    return this.dataSource.getRepository(RestaurantEntity).findOneBy({ apiKeyHash });
  }
}
