import { describe, expect, it } from '@jest/globals';
import type { Instance } from './instance.js';
import { checkSolution } from './rule-checker.js';
import type { Solution } from './solution.js';

/**
 * One restaurant at the origin, two diners 2 minutes from it (320 m/min), one courier starting 1 minute from it,
 * 4 minutes of service at each end (2 on each side).
 */
const instance: Instance = {
  name: 'tiny',
  restaurants: new Map([
    ['r1', { id: 'r1', x: 0, y: 0 }],
    ['r2', { id: 'r2', x: 0, y: 320 }],
  ]),
  orders: [
    { id: 'o1', x: 640, y: 0, placementTime: 0, restaurantId: 'r1', readyTime: 10 },
    { id: 'o2', x: 0, y: 640, placementTime: 5, restaurantId: 'r1', readyTime: 12 },
    { id: 'o3', x: 0, y: 960, placementTime: 5, restaurantId: 'r2', readyTime: 12 },
  ],
  couriers: [{ id: 'c1', x: 320, y: 0, onTime: 0, offTime: 60 }],
  parameters: { metersPerMinute: 320, pickupServiceMinutes: 4, dropoffServiceMinutes: 4, targetClickToDoor: 40, maximumClickToDoor: 90, payPerOrder: 10, guaranteedPayPerHour: 15 },
};

/** Leaves at 7, at the restaurant at 8, picks up at 10 (food ready), leaves at 12, at the diner at 14, drops off at 16. */
function valid(): Solution {
  return {
    assignments: [{ assignmentTime: 7, pickupTime: 10, courierId: 'c1', orderIds: ['o1'] }],
    orders: [{ orderId: 'o1', placementTime: 0, readyTime: 10, pickupTime: 10, dropoffTime: 16, courierId: 'c1' }],
    moves: [
      { courierId: 'c1', departureTime: 7, origin: '0', destination: 'r1' },
      { courierId: 'c1', departureTime: 12, origin: 'r1', destination: 'o1' },
    ],
  };
}

/** Then back from o1 (2 min from r1) for o2: leaves at 18, at r1 at 20, picks up at 22, at o2 at 26 (3 min), drops off at 28. */
function withSecond(solution: Solution, change: (s: Solution) => void = () => {}): Solution {
  solution.assignments.push({ assignmentTime: 18, pickupTime: 22, courierId: 'c1', orderIds: ['o2'] });
  solution.orders.push({ orderId: 'o2', placementTime: 5, readyTime: 12, pickupTime: 22, dropoffTime: 29, courierId: 'c1' });
  solution.moves.push({ courierId: 'c1', departureTime: 18, origin: 'o1', destination: 'r1' }, { courierId: 'c1', departureTime: 24, origin: 'r1', destination: 'o2' });
  change(solution);
  return solution;
}

const rules = (solution: Solution) => checkSolution(instance, solution).map((v) => v.rule);

describe('checkSolution', () => {
  it('accepts a solution that follows every rule', () => {
    expect(checkSolution(instance, valid())).toEqual([]);
    expect(checkSolution(instance, withSecond(valid()))).toEqual([]);
  });

  it('refuses a pickup less than half the pickup service after arriving (the evaluator does not check this)', () => {
    const s = valid();
    s.assignments[0]!.assignmentTime = 9;
    s.moves[0]!.departureTime = 9;
    expect(rules(s)).toEqual(['PICKUP_SERVICE']);
  });

  it('refuses leaving the restaurant less than half the pickup service after the pickup', () => {
    const s = valid();
    s.moves[1]!.departureTime = 11;
    s.orders[0]!.dropoffTime = 15;
    expect(rules(s)).toEqual(['PICKUP_SERVICE']);
  });

  it('refuses a drop-off less than half the drop-off service after arriving, and leaving less than half a service after it', () => {
    const s = valid();
    s.orders[0]!.dropoffTime = 15;
    expect(rules(s)).toEqual(['DROPOFF_SERVICE']);
    expect(rules(withSecond(valid(), (t) => (t.moves[2]!.departureTime = 17)))).toContain('WHILE_BUSY');
  });

  it('refuses an instruction to a courier still carrying out the last one', () => {
    const s = withSecond(valid(), (t) => {
      t.assignments[1]!.assignmentTime = 15;
    });
    expect(rules(s)).toEqual(['WHILE_BUSY']);
  });

  it('refuses a courier that moves somewhere other than its last drop-off before its next instruction', () => {
    const s = withSecond(valid(), (t) => {
      t.moves[2]!.origin = '0';
    });
    expect(rules(s)).toEqual(['MOVES']);
  });

  it('refuses a bundle of two restaurants, an order assigned before it was placed, twice, or picked up before it is ready', () => {
    const mixed = valid();
    mixed.assignments[0]!.orderIds.push('o3');
    expect(rules(mixed)).toContain('MIXED_RESTAURANTS');
    const placedLater = { ...instance, orders: instance.orders.map((o) => (o.id === 'o1' ? { ...o, placementTime: 8 } : o)) };
    expect(checkSolution(placedLater, valid()).map((v) => v.rule)).toContain('BEFORE_PLACEMENT');
    const twice = withSecond(valid(), (t) => t.assignments[1]!.orderIds.splice(0, 1, 'o1'));
    expect(rules(twice)).toContain('ORDER_TWICE');
    const early = valid();
    early.assignments[0]!.pickupTime = 9;
    early.orders[0]!.pickupTime = 9;
    expect(rules(early)).toContain('PICKUP_BEFORE_READY');
  });

  it("refuses a pickup after the courier's off time, and rows that disagree with the assignments", () => {
    const late = { ...instance, couriers: [{ ...instance.couriers[0]!, offTime: 9 }] };
    expect(checkSolution(late, valid()).map((v) => v.rule)).toEqual(['PICKUP_AFTER_OFF_TIME']);
    const s = valid();
    s.orders[0]!.pickupTime = 11;
    expect(rules(s)).toEqual(['ORDER_ROW']);
  });
});
