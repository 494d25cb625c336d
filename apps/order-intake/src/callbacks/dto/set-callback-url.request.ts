import { IsCallbackUrl } from '../callback-url.js';

/** PUT /v1/restaurants/{restaurantId}/callback */
export class SetCallbackUrlRequest {
  @IsCallbackUrl()
  url: string;
}
