import { IsUUID } from 'class-validator';

/** Request/reply to order-intake: the restaurants of an agency, for the dashboard's phone-order form. */
export const AGENCY_RESTAURANTS = 'intake.agency-restaurants';

export class AgencyRestaurantsRequest {
  @IsUUID()
  agencyId: string;
}

export interface AgencyRestaurant {
  id: string;
  name: string;
  address: string;
  lng: number;
  lat: number;
}

/** By name. */
export interface AgencyRestaurants {
  restaurants: AgencyRestaurant[];
}
