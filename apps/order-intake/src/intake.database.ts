import { INTAKE_MIGRATIONS } from './migrations/index.js';
import { OrderStatusChangeEntity } from './orders/order-status-change.entity.js';
import { OrderEntity } from './orders/order.entity.js';
import { RestaurantEntity } from './restaurants/restaurant.entity.js';
import { WebhookReceiptEntity } from './webhooks/webhook-receipt.entity.js';

/** The order-intake service's schema, entities and migrations: used by the service, the admin CLI and the seeding. */
export const INTAKE_DATABASE = {
  schema: 'intake',
  entities: [RestaurantEntity, OrderEntity, OrderStatusChangeEntity, WebhookReceiptEntity],
  migrations: INTAKE_MIGRATIONS,
};
