import type { RotatedCredential } from '#platform';
import { adminCliActor, rotateAgencyKey, rotateRiderToken } from '../apps/dispatch/src/credentials/credential-rotation.js';
import { rotateRestaurantCredential } from '../apps/order-intake/src/credentials/restaurant-rotation.js';
import type { ServiceDataSources } from './service-databases.js';

export const ROTATABLE = ['restaurant-secret', 'restaurant-key', 'agency-key', 'rider-token'] as const;
export type Rotatable = (typeof ROTATABLE)[number];

/**
 * `admin rotate <kind> <id> [--overlap-hours N]`: the same rotation as the HTTP routes, recorded as made by the
 * admin CLI. `overlapHours` is passed on as given, so a bad value is refused naming the field as HTTP does.
 */
export function rotateFromCli(databases: ServiceDataSources, kind: Rotatable, id: string, overlapHours: number | undefined): Promise<RotatedCredential> {
  const request = overlapHours === undefined ? {} : { overlapHours };
  switch (kind) {
    case 'restaurant-secret':
      return rotateRestaurantCredential(databases.intake, { restaurantId: id, credential: 'webhook-secret', request, rotatedBy: 'admin CLI' });
    case 'restaurant-key':
      return rotateRestaurantCredential(databases.intake, { restaurantId: id, credential: 'api-key', request, rotatedBy: 'admin CLI' });
    case 'agency-key':
      return rotateAgencyKey(databases.dispatch, { agencyId: id, request, actor: adminCliActor(id) });
    case 'rider-token':
      return rotateRiderToken(databases.dispatch, { riderId: id, request, actor: adminCliActor });
  }
}

/** A rotation as a person reads it on the terminal. */
export function describeRotation(rotated: RotatedCredential): string {
  const revoked = rotated.previousValidUntil === rotated.rotatedAt;
  return [
    `${rotated.credential} of ${rotated.id} rotated at ${rotated.rotatedAt}`,
    `new: ${rotated.secret}`,
    '(shown only now: keep it)',
    revoked ? 'the old one is refused from now on' : `the old one keeps working until ${rotated.previousValidUntil}`,
  ].join('\n');
}
