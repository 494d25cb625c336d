import type { Delivery, LngLat, Rider } from './types';

/** Deliveries on the map: everything not yet finished. */
export const UNDER_WAY = new Set(['pending', 'offered', 'assigned', 'picked_up']);

/**
 * Each placed rider's current route: from where it is to the pickups it still has to make, then the drop-offs of
 * everything it carries or will carry. Riders with nothing to do have no route.
 */
export function riderRoutes(deliveries: Delivery[], riders: Rider[]): Array<{ rider: Rider; points: LngLat[] }> {
  return riders.flatMap((rider) => {
    if (!rider.position) return [];
    const jobs = deliveries.filter((d) => d.rider?.id === rider.id && (d.status === 'assigned' || d.status === 'picked_up'));
    if (!jobs.length) return [];
    const pickups = jobs.filter((d) => d.status === 'assigned').map((d) => d.pickup);
    const dropoffs = jobs.map((d) => d.dropoff);
    return [{ rider, points: [rider.position, ...pickups, ...dropoffs] }];
  });
}
