import { IsIn, IsObject, IsUUID } from 'class-validator';
import { EventEnvelope } from '../common/event.js';
import { Nested } from '../common/nested.js';
import { RestaurantActor } from '../restaurant-admin/restaurant-admin.request.js';

/**
 * Emitted by order-intake, in the transaction of the change, when a restaurant is created, edited, disabled or
 * enabled by hand (the agency's API, the admin CLI). Dispatch writes it into the agency's audit log.
 */
export const RESTAURANT_CHANGED = 'restaurant.changed';

export const RESTAURANT_CHANGES = ['restaurant.created', 'restaurant.edited', 'restaurant.disabled', 'restaurant.enabled'] as const;
export type RestaurantChange = (typeof RESTAURANT_CHANGES)[number];

export class RestaurantChangedEvent extends EventEnvelope {
  @IsUUID()
  agencyId: string;

  @IsUUID()
  restaurantId: string;

  @IsIn(RESTAURANT_CHANGES)
  change: RestaurantChange;

  @Nested(() => RestaurantActor)
  actor: RestaurantActor;

  /** What changed: the name, or the fields before and after. */
  @IsObject()
  details: Record<string, unknown>;
}
