import distance from '@turf/distance';
import { point } from '@turf/helpers';
import type { LngLat } from '#contracts';

/**
 * Great-circle distance in metres, as Turf measures it (the same figure as fee's local estimate): the planner and
 * the rider index need it without the map layer's providers and their I/O.
 */
export function straightLineMeters(from: LngLat, to: LngLat): number {
  return distance(point([from.lng, from.lat]), point([to.lng, to.lat]), { units: 'meters' });
}
