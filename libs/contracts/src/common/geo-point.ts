import { IsNumber, Max, Min } from 'class-validator';

/**
 * South Korea's bounding box. A point outside it is a mistake, most often latitude and longitude swapped:
 * Seoul is lng 127.0, lat 37.5, and the swapped pair fails both ranges.
 */
export const KOREA_BOUNDS = { minLat: 33, maxLat: 39, minLng: 124, maxLng: 132 } as const;

const LNG_REASON = `must be a longitude inside South Korea (${KOREA_BOUNDS.minLng} to ${KOREA_BOUNDS.maxLng}); are lng and lat swapped?`;
const LAT_REASON = `must be a latitude inside South Korea (${KOREA_BOUNDS.minLat} to ${KOREA_BOUNDS.maxLat}); are lng and lat swapped?`;

/** A point as `{ lng, lat }` in WGS84 degrees, inside South Korea. */
export class GeoPoint {
  @IsNumber({ allowNaN: false, allowInfinity: false }, { message: 'must be a number' })
  @Min(KOREA_BOUNDS.minLng, { message: LNG_REASON })
  @Max(KOREA_BOUNDS.maxLng, { message: LNG_REASON })
  lng: number;

  @IsNumber({ allowNaN: false, allowInfinity: false }, { message: 'must be a number' })
  @Min(KOREA_BOUNDS.minLat, { message: LAT_REASON })
  @Max(KOREA_BOUNDS.maxLat, { message: LAT_REASON })
  lat: number;
}

export interface LngLat {
  lng: number;
  lat: number;
}

export const lngLatReasons = { lng: LNG_REASON, lat: LAT_REASON };
