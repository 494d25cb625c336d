import type { LngLat } from './types';

export interface Projection {
  /** Screen coordinates of a point, in the SVG's user units. */
  project(point: LngLat): { x: number; y: number };
  width: number;
  height: number;
}

/**
 * Equirectangular, with longitude scaled by cos(latitude) at the middle of what is shown so that a city's
 * distances look right, fitted to the bounding box of the points with a margin, north up. Needs no tiles and no
 * network. A lone point (or none) gets a box of about 1 km around it.
 */
export function fitProjection(points: LngLat[], width: number, height: number, margin = 40): Projection {
  const shown = points.filter((p) => Number.isFinite(p.lng) && Number.isFinite(p.lat));
  const lats = shown.map((p) => p.lat);
  const lngs = shown.map((p) => p.lng);
  let [minLat, maxLat] = shown.length ? [Math.min(...lats), Math.max(...lats)] : [37.5665, 37.5665];
  let [minLng, maxLng] = shown.length ? [Math.min(...lngs), Math.max(...lngs)] : [126.978, 126.978];
  const midLat = (minLat + maxLat) / 2;
  const cos = Math.cos((midLat * Math.PI) / 180);
  // At least ~1 km across, so one rider does not fill the map.
  const minSpan = 0.01;
  if (maxLat - minLat < minSpan) [minLat, maxLat] = [midLat - minSpan / 2, midLat + minSpan / 2];
  if ((maxLng - minLng) * cos < minSpan) {
    const midLng = (minLng + maxLng) / 2;
    [minLng, maxLng] = [midLng - minSpan / cos / 2, midLng + minSpan / cos / 2];
  }
  const spanX = (maxLng - minLng) * cos;
  const spanY = maxLat - minLat;
  const scale = Math.min((width - 2 * margin) / spanX, (height - 2 * margin) / spanY);
  // Centre what is shown in the box.
  const offsetX = (width - spanX * scale) / 2;
  const offsetY = (height - spanY * scale) / 2;
  return {
    width,
    height,
    project: (p) => ({ x: offsetX + (p.lng - minLng) * cos * scale, y: offsetY + (maxLat - p.lat) * scale }),
  };
}
