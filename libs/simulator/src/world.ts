import { travelMinutes, type Courier, type Instance, type Order, type Point } from './instance.js';
import type { Solution } from './solution.js';

/** A courier as a policy sees it: where it is (or will be once its instruction is done) and from when it is free. */
export interface CourierView {
  courier: Courier;
  /** Where it waits now, or where its current instruction ends. */
  position: Point;
  /** The id the moves file gives that place: '0' for its start, else the last order it dropped off. */
  positionId: string;
  /** When it can take an instruction: its on time, or the end of its current instruction (minutes). */
  freeAt: number;
  /** When it last finished an instruction; null before its first. */
  lastFinishedAt: number | null;
  delivered: number;
}

/** An instruction: the courier collects these orders of one restaurant and drops them off in this sequence. */
export interface Instruction {
  courierId: string;
  orderIds: string[];
}

/** A rule the world will not break, whichever policy asks: the instruction is refused with why. */
export class RuleBreach extends Error {
  constructor(instruction: Instruction, now: number, reason: string) {
    super(`at minute ${now}, courier ${instruction.courierId} with ${instruction.orderIds.join(', ')}: ${reason}`);
    this.name = 'RuleBreach';
  }
}

/**
 * The instance's world in simulated minutes. Couriers carry out every instruction exactly: they leave at once,
 * travel ceil(euclid / speed), pick up at max(arrival + half the pickup service, the latest ready time), leave
 * half a service later, and drop off each order half a drop-off service after arriving, leaving half a service
 * after that; then they wait at the last drop-off. The solution files are recorded as it goes.
 */
export class World {
  private readonly assignments: Solution['assignments'] = [];
  private readonly delivered: Solution['orders'] = [];
  /** Each courier's moves in the order made: the moves file keeps a courier's moves together. */
  private readonly moves = new Map<string, Solution['moves']>();
  private readonly couriers = new Map<string, CourierView>();
  private readonly assigned = new Set<string>();
  private readonly orders: Map<string, Order>;

  constructor(readonly instance: Instance) {
    this.orders = new Map(instance.orders.map((o) => [o.id, o]));
    for (const courier of instance.couriers) {
      this.couriers.set(courier.id, { courier, position: courier, positionId: '0', freeAt: courier.onTime, lastFinishedAt: null, delivered: 0 });
    }
  }

  /** The solution so far, as the three files carry it. */
  get solution(): Solution {
    return { assignments: this.assignments, orders: this.delivered, moves: [...this.moves.values()].flat() };
  }

  courierViews(): CourierView[] {
    return [...this.couriers.values()];
  }

  isAssigned(orderId: string): boolean {
    return this.assigned.has(orderId);
  }

  /** Carries out an instruction given at minute `now`, or refuses it (RuleBreach) if it breaks a rule. */
  apply(now: number, instruction: Instruction): void {
    const { pickupServiceMinutes: ps, dropoffServiceMinutes: ds, metersPerMinute } = this.instance.parameters;
    const breach = (reason: string) => new RuleBreach(instruction, now, reason);
    const courier = this.couriers.get(instruction.courierId);
    if (!courier) throw breach('no such courier');
    if (now < courier.courier.onTime) throw breach(`not on shift until ${courier.courier.onTime}`);
    if (now < courier.freeAt) throw breach(`busy until ${courier.freeAt}`);
    if (instruction.orderIds.length === 0) throw breach('no orders');
    const bundle = instruction.orderIds.map((id) => {
      const order = this.orders.get(id);
      if (!order) throw breach(`no order ${id}`);
      if (order.placementTime > now) throw breach(`order ${id} is placed only at ${order.placementTime}`);
      if (this.assigned.has(id)) throw breach(`order ${id} is already assigned`);
      return order;
    });
    if (new Set(instruction.orderIds).size !== bundle.length) throw breach('an order appears twice');
    const restaurantId = bundle[0]!.restaurantId;
    if (bundle.some((o) => o.restaurantId !== restaurantId)) throw breach('orders of more than one restaurant');
    const restaurant = this.instance.restaurants.get(restaurantId)!;

    const arrival = now + travelMinutes(courier.position, restaurant, metersPerMinute);
    const pickupTime = Math.max(arrival + ps / 2, ...bundle.map((o) => o.readyTime));
    if (pickupTime > courier.courier.offTime) throw breach(`pickup at ${pickupTime} is after the courier's off time ${courier.courier.offTime}`);

    const moves = this.moves.get(courier.courier.id) ?? [];
    this.moves.set(courier.courier.id, moves);
    this.assignments.push({ assignmentTime: now, pickupTime, courierId: courier.courier.id, orderIds: [...instruction.orderIds] });
    moves.push({ courierId: courier.courier.id, departureTime: now, origin: courier.positionId, destination: restaurantId });
    let leave = pickupTime + ps / 2;
    let from: Point = restaurant;
    let fromId = restaurantId;
    for (const order of bundle) {
      moves.push({ courierId: courier.courier.id, departureTime: leave, origin: fromId, destination: order.id });
      const dropoffTime = leave + travelMinutes(from, order, metersPerMinute) + ds / 2;
      this.delivered.push({
        orderId: order.id,
        placementTime: order.placementTime,
        readyTime: order.readyTime,
        pickupTime,
        dropoffTime,
        courierId: courier.courier.id,
      });
      this.assigned.add(order.id);
      leave = dropoffTime + ds / 2;
      from = order;
      fromId = order.id;
    }
    courier.position = from;
    courier.positionId = fromId;
    courier.freeAt = leave;
    courier.lastFinishedAt = leave;
    courier.delivered += bundle.length;
  }
}
