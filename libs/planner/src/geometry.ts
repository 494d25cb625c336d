import type { LngLat } from '#contracts';

/** Mean earth radius in metres, as Turf measures distances (so as fee's local estimate does). */
const EARTH_RADIUS_METERS = 6_371_008.8;
const toRadians = (degrees: number) => ((degrees % 360) * Math.PI) / 180;

/**
 * Great-circle distance in metres by the haversine formula, operation for operation as Turf's `distance` computes
 * it (the same figure, to the last bit, as the map layer's `straightLineMeters`), without Turf's allocations:
 * a planning round measures every rider against every bundle.
 */
export function straightLineMeters(from: LngLat, to: LngLat): number {
  const dLat = toRadians(to.lat - from.lat);
  const dLng = toRadians(to.lng - from.lng);
  const a = Math.pow(Math.sin(dLat / 2), 2) + Math.pow(Math.sin(dLng / 2), 2) * Math.cos(toRadians(from.lat)) * Math.cos(toRadians(to.lat));
  return 2 * Math.atan2(Math.sqrt(a), Math.sqrt(1 - a)) * EARTH_RADIUS_METERS;
}
