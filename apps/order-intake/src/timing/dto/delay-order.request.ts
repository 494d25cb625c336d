import { IsIntegerIn } from '../../orders/dto/field-rules.js';
import { MAX_COOKING_MINUTES } from '../../orders/order-timing.js';

/** POST /v1/restaurants/{restaurantId}/orders/{orderId}/delay */
export class DelayOrderRequest {
  /** How much later than was said the food will be ready. */
  @IsIntegerIn(1, MAX_COOKING_MINUTES)
  minutes: number;
}
