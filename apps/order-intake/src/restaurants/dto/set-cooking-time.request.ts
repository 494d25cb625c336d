import { ValidateIf } from 'class-validator';
import { IsIntegerIn } from '../../orders/dto/field-rules.js';
import { MAX_COOKING_MINUTES } from '../../orders/order-timing.js';

/** PUT /v1/restaurants/{restaurantId}/cooking-time */
export class SetCookingTimeRequest {
  /** The kitchen's usual cooking time in minutes, for orders sent without one; null: the service's default. */
  @ValidateIf((body: { minutes?: unknown }) => body.minutes !== null)
  @IsIntegerIn(0, MAX_COOKING_MINUTES)
  minutes: number | null;
}

/** The restaurant's usual cooking time, and the service's default that applies while it has none. */
export interface CookingTimeView {
  minutes: number | null;
  defaultMinutes: number;
}
