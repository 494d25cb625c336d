import { clickToDoorLowerBound, travelMinutes, type Instance, type Point } from './instance.js';
import type { Solution } from './solution.js';

/** What a run achieved, as the official evaluator measures it, beside the instance's own bound and ceiling. */
export interface Measures {
  orders: number;
  delivered: number;
  /** Orders some courier could have delivered at all: food ready, and a courier on shift, before its off time. */
  deliverable: number;
  clickToDoorMean: number;
  clickToDoorP90: number;
  /** Share of delivered orders over the target click-to-door (40 minutes). */
  overTarget: number;
  readyToPickupMean: number;
  /** Mean over couriers of (driving + pickup and drop-off service) ÷ shift length, as the evaluator computes it. */
  utilisation: number;
  ordersPerCourierHour: number;
  /** The lower bound's mean over the delivered orders, and over all orders. */
  lowerBoundMean: number;
  lowerBoundMeanAll: number;
  lowerBoundP90: number;
  /** orders ÷ courier-hours: the best orders per courier-hour can be. */
  ceilingPerCourierHour: number;
  bundles: number;
}

/** The q-quantile by linear interpolation between closest ranks, as pandas' describe() computes it. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const at = (sorted.length - 1) * q;
  const low = Math.floor(at);
  const high = Math.min(sorted.length - 1, low + 1);
  return sorted[low]! + (sorted[high]! - sorted[low]!) * (at - low);
}

const mean = (values: readonly number[]) => (values.length === 0 ? NaN : values.reduce((sum, v) => sum + v, 0) / values.length);

/** Measures a solution against its instance (it should have passed the rule checker first). */
export function measure(instance: Instance, solution: Solution): Measures {
  const { pickupServiceMinutes: ps, dropoffServiceMinutes: ds, metersPerMinute, targetClickToDoor } = instance.parameters;
  const orders = new Map(instance.orders.map((o) => [o.id, o]));
  const delivered = solution.orders.filter((row) => orders.has(row.orderId));
  const clickToDoor = delivered.map((row) => row.dropoffTime - row.placementTime);
  const bound = (id: string) => clickToDoorLowerBound(instance, orders.get(id)!);
  const courierHours = instance.couriers.reduce((sum, c) => sum + (c.offTime - c.onTime) / 60, 0);

  const busy = new Map<string, number>();
  const starts = new Map(instance.couriers.map((c) => [c.id, c]));
  const place = (id: string, courierId: string): Point => (id === '0' ? starts.get(courierId)! : (orders.get(id) ?? instance.restaurants.get(id)!));
  for (const move of solution.moves) {
    busy.set(move.courierId, (busy.get(move.courierId) ?? 0) + travelMinutes(place(move.origin, move.courierId), place(move.destination, move.courierId), metersPerMinute));
  }
  for (const a of solution.assignments) busy.set(a.courierId, (busy.get(a.courierId) ?? 0) + ps + ds * a.orderIds.length);

  const latestOff = Math.max(...instance.couriers.map((c) => c.offTime));
  const deliverable = instance.orders.filter((o) =>
    instance.couriers.some((c) => Math.max(o.readyTime, Math.max(o.placementTime, c.onTime) + ps / 2) <= c.offTime),
  ).length;
  return {
    orders: instance.orders.length,
    delivered: delivered.length,
    deliverable: Number.isFinite(latestOff) ? deliverable : 0,
    clickToDoorMean: mean(clickToDoor),
    clickToDoorP90: quantile(clickToDoor, 0.9),
    overTarget: delivered.length === 0 ? NaN : clickToDoor.filter((v) => v > targetClickToDoor).length / delivered.length,
    readyToPickupMean: mean(delivered.map((row) => row.pickupTime - row.readyTime)),
    utilisation: mean(instance.couriers.map((c) => (busy.get(c.id) ?? 0) / (c.offTime - c.onTime))),
    ordersPerCourierHour: delivered.length / courierHours,
    lowerBoundMean: mean(delivered.map((row) => bound(row.orderId))),
    lowerBoundMeanAll: mean(instance.orders.map((o) => bound(o.id))),
    lowerBoundP90: quantile(instance.orders.map((o) => bound(o.id)), 0.9),
    ceilingPerCourierHour: instance.orders.length / courierHours,
    bundles: solution.assignments.length,
  };
}
