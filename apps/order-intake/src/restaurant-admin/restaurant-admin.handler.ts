import { Controller, Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { APP_CONFIG, type AppConfig } from '#config';
import { PATTERNS, RestaurantAdminRequest } from '#contracts';
import { EventOutbox } from '#messaging';
import { DomainError } from '#platform';
import { DataSource } from 'typeorm';
import { HOST_RESOLVER, type HostResolver } from '../callbacks/callback-destinations.js';
import { RestaurantsService } from '../restaurants/restaurants.service.js';
import { RestaurantAdmin } from './restaurant-admin.js';

/** Answers dispatch's `intake.restaurant-admin` requests: an agency's hands on its restaurants (docs/agency-api.md). */
@Controller()
export class RestaurantAdminHandler {
  private readonly admin: RestaurantAdmin;

  constructor(
    dataSource: DataSource,
    @Inject(APP_CONFIG) config: AppConfig,
    @Inject(HOST_RESOLVER) resolve: HostResolver,
    private readonly restaurants: RestaurantsService,
    private readonly outbox: EventOutbox,
  ) {
    this.admin = new RestaurantAdmin(dataSource, { allowPrivateNetworks: config.intake.callbacks.allowPrivateNetworks, resolve });
  }

  @MessagePattern(PATTERNS.RESTAURANT_ADMIN)
  async handle(@Payload() request: RestaurantAdminRequest): Promise<unknown> {
    const { agencyId, action, actor, restaurantId = '', fields } = request;
    if (action === 'list') return { restaurants: await this.admin.list(agencyId) };
    if (action === 'create') return this.changed(await this.admin.create(agencyId, actor, fields));
    if (!restaurantId) throw DomainError.validation([{ field: 'restaurantId', value: restaurantId, reason: `is required to ${action} a restaurant` }]);
    if (action === 'edit') return this.changed(await this.admin.edit(agencyId, restaurantId, actor, fields));
    if (action === 'disable') return this.changed(await this.admin.disable(agencyId, restaurantId, actor));
    return this.changed(await this.admin.enable(agencyId, restaurantId, actor));
  }

  /** This instance's webhooks see the change at once; its event leaves now rather than at the relay's next poll. */
  private changed<T extends { id: string }>(restaurant: T): T {
    this.restaurants.forget(restaurant.id);
    this.outbox.poke();
    return restaurant;
  }
}
