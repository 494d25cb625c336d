/** A point on an instance's plane, in metres. */
export interface Point {
  x: number;
  y: number;
}

export interface Restaurant extends Point {
  id: string;
}

/** An order: the diner's position, when it was placed, its restaurant and when its food is ready (minutes). */
export interface Order extends Point {
  id: string;
  placementTime: number;
  restaurantId: string;
  readyTime: number;
}

/** A courier: where its shift starts, and the shift's on and off times (minutes). */
export interface Courier extends Point {
  id: string;
  onTime: number;
  offTime: number;
}

export interface InstanceParameters {
  metersPerMinute: number;
  pickupServiceMinutes: number;
  dropoffServiceMinutes: number;
  targetClickToDoor: number;
  maximumClickToDoor: number;
  payPerOrder: number;
  guaranteedPayPerHour: number;
}

/** A Meal Delivery Routing Problem instance (Reyes et al. 2018), as read from its folder. */
export interface Instance {
  name: string;
  restaurants: Map<string, Restaurant>;
  orders: Order[];
  couriers: Courier[];
  parameters: InstanceParameters;
}

/**
 * Minutes to travel between two points: ceil(euclidean distance / metres per minute), computed as the official
 * evaluator computes it (the square root of the sum of squares, not Math.hypot, which may differ in the last bit).
 */
export function travelMinutes(a: Point, b: Point, metersPerMinute: number): number {
  const dx = b.x - a.x;
  const dy = b.y - a.y;
  return Math.ceil(Math.sqrt(dx * dx + dy * dy) / metersPerMinute);
}

/** The instance's lower bound on an order's click-to-door: a courier already waiting at the restaurant when the food is ready. */
export function clickToDoorLowerBound(instance: Instance, order: Order): number {
  const { pickupServiceMinutes, dropoffServiceMinutes, metersPerMinute } = instance.parameters;
  const restaurant = instance.restaurants.get(order.restaurantId)!;
  return order.readyTime - order.placementTime + pickupServiceMinutes / 2 + travelMinutes(restaurant, order, metersPerMinute) + dropoffServiceMinutes / 2;
}
