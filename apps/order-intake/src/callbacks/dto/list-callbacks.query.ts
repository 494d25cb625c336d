import { IsIn, IsOptional, IsUUID, Matches } from 'class-validator';
import { CALLBACK_STATES, type CallbackState } from '../callbacks.repository.js';

/** GET /v1/restaurants/{restaurantId}/callbacks?state=&orderId=&limit= (query values arrive as strings). */
export class ListCallbacksQuery {
  @IsOptional()
  @IsIn(CALLBACK_STATES, { message: `must be one of ${CALLBACK_STATES.join(', ')}` })
  state?: CallbackState;

  @IsOptional()
  @IsUUID('all', { message: 'must be a UUID' })
  orderId?: string;

  @IsOptional()
  @Matches(/^(?:[1-9]\d?|1\d\d|200)$/, { message: 'must be an integer from 1 to 200' })
  limit?: string;
}
