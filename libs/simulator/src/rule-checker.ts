import { travelMinutes, type Instance, type Point } from './instance.js';
import type { AssignmentRecord, MoveRecord, Solution } from './solution.js';

export type RuleCode =
  | 'UNKNOWN_ID'
  | 'ORDER_TWICE'
  | 'BEFORE_PLACEMENT'
  | 'BEFORE_SHIFT'
  | 'MIXED_RESTAURANTS'
  | 'PICKUP_BEFORE_READY'
  | 'PICKUP_AFTER_OFF_TIME'
  | 'ORDER_ROW'
  | 'MOVES'
  | 'PICKUP_SERVICE'
  | 'DROPOFF_SERVICE'
  | 'WHILE_BUSY';

export interface Violation {
  rule: RuleCode;
  detail: string;
}

const EPSILON = 1e-9;

/**
 * Checks a solution against its instance and every rule of the problem, including what the official evaluator
 * does not check: half the pickup service before the pickup and half after it, half the drop-off service on each
 * side of a drop-off, travel times of exactly ceil(euclid / speed), instructions given only to a courier that
 * has finished its last one (never diverted), and a courier waiting only where its shift starts or at its last
 * drop-off (each instruction's first move leaves from there). Returns every violation found; none means feasible.
 */
export function checkSolution(instance: Instance, solution: Solution): Violation[] {
  const violations: Violation[] = [];
  const fail = (rule: RuleCode, detail: string) => violations.push({ rule, detail });
  const { pickupServiceMinutes: ps, dropoffServiceMinutes: ds, metersPerMinute } = instance.parameters;
  const orders = new Map(instance.orders.map((o) => [o.id, o]));
  const couriers = new Map(instance.couriers.map((c) => [c.id, c]));
  const place = (id: string, courierId: string): Point | undefined => (id === '0' ? couriers.get(courierId) : (orders.get(id) ?? instance.restaurants.get(id)));

  const assignedIn = new Map<string, AssignmentRecord>();
  for (const a of solution.assignments) {
    const courier = couriers.get(a.courierId);
    if (!courier) fail('UNKNOWN_ID', `assignment to unknown courier ${a.courierId}`);
    const restaurants = new Set<string>();
    for (const id of a.orderIds) {
      const order = orders.get(id);
      if (!order) {
        fail('UNKNOWN_ID', `assignment of unknown order ${id}`);
        continue;
      }
      if (assignedIn.has(id)) fail('ORDER_TWICE', `order ${id} is in more than one assignment`);
      assignedIn.set(id, a);
      restaurants.add(order.restaurantId);
      if (a.assignmentTime < order.placementTime) fail('BEFORE_PLACEMENT', `order ${id} assigned at ${a.assignmentTime}, placed at ${order.placementTime}`);
      if (a.pickupTime < order.readyTime) fail('PICKUP_BEFORE_READY', `order ${id} picked up at ${a.pickupTime}, ready at ${order.readyTime}`);
    }
    if (restaurants.size > 1) fail('MIXED_RESTAURANTS', `assignment of ${a.orderIds.join(', ')} collects from ${[...restaurants].join(', ')}`);
    if (courier && a.assignmentTime < courier.onTime) fail('BEFORE_SHIFT', `courier ${a.courierId} instructed at ${a.assignmentTime}, on shift at ${courier.onTime}`);
    if (courier && a.pickupTime > courier.offTime) fail('PICKUP_AFTER_OFF_TIME', `courier ${a.courierId} picks up at ${a.pickupTime}, off at ${courier.offTime}`);
  }

  const rows = new Map<string, Solution['orders'][number]>();
  for (const row of solution.orders) {
    const order = orders.get(row.orderId);
    const a = assignedIn.get(row.orderId);
    if (rows.has(row.orderId)) fail('ORDER_ROW', `order ${row.orderId} has more than one row`);
    rows.set(row.orderId, row);
    if (!order || !a) {
      fail('ORDER_ROW', `order ${row.orderId} has a row but ${order ? 'no assignment' : 'is not in the instance'}`);
      continue;
    }
    if (row.placementTime !== order.placementTime || row.readyTime !== order.readyTime) fail('ORDER_ROW', `order ${row.orderId}: placement or ready time differs from the instance`);
    if (row.pickupTime !== a.pickupTime) fail('ORDER_ROW', `order ${row.orderId}: pickup ${row.pickupTime}, its assignment says ${a.pickupTime}`);
    if (row.courierId !== a.courierId) fail('ORDER_ROW', `order ${row.orderId}: courier ${row.courierId}, its assignment says ${a.courierId}`);
  }
  for (const id of assignedIn.keys()) if (!rows.has(id)) fail('ORDER_ROW', `order ${id} is assigned but has no row`);

  // Each courier's moves, together and in the order made, must be its instructions one after another.
  const movesOf = new Map<string, MoveRecord[]>();
  let previous: string | undefined;
  for (const move of solution.moves) {
    if (move.courierId !== previous && movesOf.has(move.courierId)) fail('MOVES', `courier ${move.courierId}'s moves are not together`);
    previous = move.courierId;
    movesOf.set(move.courierId, [...(movesOf.get(move.courierId) ?? []), move]);
  }
  const instructionsOf = new Map<string, AssignmentRecord[]>();
  for (const a of solution.assignments) instructionsOf.set(a.courierId, [...(instructionsOf.get(a.courierId) ?? []), a]);
  for (const courierId of movesOf.keys()) if (!instructionsOf.has(courierId)) fail('MOVES', `courier ${courierId} moves without an assignment`);

  for (const [courierId, instructions] of instructionsOf) {
    const courier = couriers.get(courierId);
    if (!courier) continue;
    const moves = movesOf.get(courierId) ?? [];
    instructions.sort((x, y) => x.assignmentTime - y.assignmentTime);
    let at = '0';
    let freeAt = courier.onTime;
    let m = 0;
    for (const a of instructions) {
      const where = `courier ${courierId}, assignment at ${a.assignmentTime} of ${a.orderIds.join(' ')}`;
      if (a.assignmentTime < freeAt - EPSILON) fail('WHILE_BUSY', `${where}: given while still busy until ${freeAt}`);
      const block = moves.slice(m, m + 1 + a.orderIds.length);
      m += 1 + a.orderIds.length;
      const restaurantId = orders.get(a.orderIds[0]!)?.restaurantId;
      const expected = [restaurantId, ...a.orderIds];
      if (block.length !== expected.length || block.some((move, k) => move.destination !== expected[k])) {
        fail('MOVES', `${where}: moves should go to ${expected.join(' → ')}, found ${block.map((b) => b.destination).join(' → ') || 'none'}`);
        break;
      }
      let clock = Math.max(freeAt, a.assignmentTime);
      let origin = at;
      for (let k = 0; k < block.length; k++) {
        const move = block[k]!;
        if (move.origin !== origin) fail('MOVES', `${where}: move to ${move.destination} leaves from ${move.origin}, the courier is at ${origin}`);
        if (move.departureTime < clock - EPSILON) {
          const rule = k === 0 ? 'WHILE_BUSY' : k === 1 ? 'PICKUP_SERVICE' : 'DROPOFF_SERVICE';
          fail(rule, `${where}: leaves ${origin} at ${move.departureTime}, before ${clock}`);
        }
        const from = place(move.origin, courierId);
        const to = place(move.destination, courierId);
        if (!from || !to) {
          fail('UNKNOWN_ID', `${where}: move ${move.origin} → ${move.destination}`);
          break;
        }
        const arrival = move.departureTime + travelMinutes(from, to, metersPerMinute);
        if (k === 0) {
          if (a.pickupTime < arrival + ps / 2 - EPSILON) fail('PICKUP_SERVICE', `${where}: arrives at ${arrival}, picks up at ${a.pickupTime}, before half the pickup service`);
          clock = a.pickupTime + ps / 2;
        } else {
          const row = rows.get(move.destination);
          if (row) {
            if (row.dropoffTime < arrival + ds / 2 - EPSILON) {
              fail('DROPOFF_SERVICE', `${where}: arrives at ${move.destination} at ${arrival}, drops off at ${row.dropoffTime}, before half the drop-off service`);
            }
            clock = row.dropoffTime + ds / 2;
          } else clock = arrival + ds;
        }
        origin = move.destination;
      }
      at = origin;
      freeAt = clock;
    }
    if (m !== moves.length) fail('MOVES', `courier ${courierId} has ${moves.length - m} moves beyond its assignments`);
  }
  return violations;
}
