import type { LngLat } from '#contracts';
import { straightLineMeters } from '#maps';

/** What grouping needs of a waiting delivery. */
export interface Placed {
  id: string;
  agencyId: string;
  restaurantId: string;
  pickup: LngLat;
}

export interface AreaLimits {
  /** Pickups this close may be bundled (STACK_PICKUP_RADIUS_METERS); 0: one restaurant's deliveries only. */
  stackRadiusMeters: number;
  /** Deliveries one area plans at most; a larger group is cut along a grid of `cellDegrees` squares. */
  maxDeliveries: number;
  cellDegrees: number;
}

const METERS_PER_DEGREE = 111_320;

/**
 * Splits waiting deliveries into planning areas, each planned on its own with the riders near it: an agency's
 * deliveries of one restaurant, or whose pickups lie within the stacking radius of one another (in a chain), are in
 * one area, so any two the planner may bundle are planned together wherever they lie; a grid would part two
 * restaurants across the street from each other when a cell's edge runs between them. A group larger than
 * `maxDeliveries` (a dense district at its busiest, chained from one restaurant to the next) is cut along the grid,
 * so no round's planning grows without bound. Deterministic: the same deliveries make the same areas, in the order
 * of their first delivery.
 */
export function planningAreas<D extends Placed>(deliveries: D[], limits: AreaLimits): D[][] {
  const parent = deliveries.map((_, i) => i);
  const root = (i: number): number => {
    while (parent[i] !== i) i = parent[i] = parent[parent[i]!]!;
    return i;
  };
  const join = (a: number, b: number) => {
    const [ra, rb] = [root(a), root(b)];
    if (ra !== rb) parent[Math.max(ra, rb)] = Math.min(ra, rb);
  };

  const byRestaurant = new Map<string, number>();
  deliveries.forEach((d, i) => {
    const key = `${d.agencyId} ${d.restaurantId}`;
    const first = byRestaurant.get(key);
    if (first === undefined) byRestaurant.set(key, i);
    else join(first, i);
  });

  // Pickups within the radius: each compared with those in its own and the eight neighbouring cells of a hash whose
  // cells are the radius wide, so the work follows the deliveries close together, not all pairs.
  const radius = limits.stackRadiusMeters;
  if (radius > 0) {
    const latStep = radius / METERS_PER_DEGREE;
    const cells = new Map<string, number[]>();
    const cellOf = (d: Placed) => {
      const lngStep = latStep / Math.max(0.1, Math.cos((d.pickup.lat * Math.PI) / 180));
      return [Math.floor(d.pickup.lat / latStep), Math.floor(d.pickup.lng / lngStep)] as const;
    };
    deliveries.forEach((d, i) => {
      const [row, column] = cellOf(d);
      for (let dr = -1; dr <= 1; dr++) {
        for (let dc = -1; dc <= 1; dc++) {
          for (const j of cells.get(`${d.agencyId} ${row + dr} ${column + dc}`) ?? []) {
            if (straightLineMeters(d.pickup, deliveries[j]!.pickup) <= radius) join(i, j);
          }
        }
      }
      const key = `${d.agencyId} ${row} ${column}`;
      cells.set(key, [...(cells.get(key) ?? []), i]);
    });
  }

  const groups = new Map<number, D[]>();
  deliveries.forEach((d, i) => {
    const r = root(i);
    groups.set(r, [...(groups.get(r) ?? []), d]);
  });
  return [...groups.values()].flatMap((group) => (group.length <= limits.maxDeliveries ? [group] : byCell(group, limits)));
}

/** A group too large for one area, cut along the grid (and, should one cell still hold too many, in order). */
function byCell<D extends Placed>(group: D[], limits: AreaLimits): D[][] {
  const cells = new Map<string, D[]>();
  for (const d of group) {
    const key = `${Math.floor(d.pickup.lat / limits.cellDegrees)}:${Math.floor(d.pickup.lng / limits.cellDegrees)}`;
    cells.set(key, [...(cells.get(key) ?? []), d]);
  }
  return [...cells.values()].flatMap((cell) => {
    const parts: D[][] = [];
    for (let start = 0; start < cell.length; start += limits.maxDeliveries) parts.push(cell.slice(start, start + limits.maxDeliveries));
    return parts;
  });
}
