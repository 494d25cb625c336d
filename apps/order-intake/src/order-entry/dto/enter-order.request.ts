import { IsUUID } from 'class-validator';
import { CreateOrderRequest } from '../../orders/dto/create-order.request.js';

/**
 * The body of POST /v1/agencies/{agencyId}/orders: a restaurant's order as its webhook would send it, with the
 * restaurant it is for (one of the agency's).
 */
export class EnterOrderRequest extends CreateOrderRequest {
  @IsUUID('all', { message: 'must be a restaurant id (a UUID)' })
  restaurantId: string;
}
