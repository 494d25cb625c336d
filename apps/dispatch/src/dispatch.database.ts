import { AgencyEntity } from './agencies/agency.entity.js';
import { DeliveryEntity } from './deliveries/delivery.entity.js';
import { DISPATCH_MIGRATIONS } from './migrations/index.js';
import { OfferEntity } from './offers/offer.entity.js';
import { RiderEntity } from './riders/rider.entity.js';

/** The dispatch service's schema, entities and migrations: used by the service, `npm run migrate` and the admin CLI. */
export const DISPATCH_DATABASE = {
  schema: 'dispatch',
  entities: [AgencyEntity, RiderEntity, DeliveryEntity, OfferEntity],
  migrations: DISPATCH_MIGRATIONS,
};
