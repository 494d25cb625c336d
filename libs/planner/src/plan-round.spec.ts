import { describe, expect, it } from '@jest/globals';
import { planRound } from './plan-round.js';
import type { PlannerGeometry, PlannerInput, PlannerPolicy, PlannerRider, WaitingDelivery } from './planner.types.js';

/**
 * Small worlds on a line: a position is metres from the origin, riders ride 5 m/s, service is 2 minutes at a
 * pickup and 2 at a drop-off (one minute each side). Times are seconds; `now` is 10,000.
 */
const NOW = 10_000;
const line: PlannerGeometry<number> = { travelSeconds: (a, b) => Math.abs(a - b) / 5, meters: (a, b) => Math.abs(a - b) };

const policy: PlannerPolicy = {
  offerMode: 'sequential',
  broadcastSize: 1,
  maxBundleSize: 3,
  stacking: { acrossRestaurants: false, radiusMeters: 0 },
  horizonSeconds: 2700,
  pickupServiceSeconds: 120,
  dropoffServiceSeconds: 120,
  roundSeconds: 60,
  offerLeadSeconds: 0,
  promiseSeconds: 2400,
  overdueSeconds: 5400,
  offerWhileBusy: false,
};

function delivery(id: string, overrides: Partial<WaitingDelivery<number>> = {}): WaitingDelivery<number> {
  return { id, restaurantId: 'r0', pickup: 0, dropoff: 1500, placedAt: NOW - 300, readyAt: NOW, ...overrides };
}

function rider(id: string, position: number, overrides: Partial<PlannerRider<number>> = {}): PlannerRider<number> {
  return { id, position, load: 0, capacity: 3, idleSince: null, ...overrides };
}

const plan = (input: Partial<PlannerInput<number>>) => planRound({ now: NOW, deliveries: [], riders: [], policy, ...input }, line);

describe('planRound', () => {
  it('holds a delivery whose food is not ready yet, with its rider and when it will be offered, and offers it then', () => {
    const deliveries = [delivery('d1', { readyAt: NOW + 1200 })];
    const riders = [rider('near', 1500)];
    const early = plan({ deliveries, riders });
    expect(early.offers).toEqual([]);
    // 300 s away and a minute of pickup service before the pickup: it must leave at ready - 60 - 300.
    expect(early.held).toEqual([expect.objectContaining({ deliveryId: 'd1', reason: 'NOT_YET_DUE', plannedRiderId: 'near', offerAt: NOW + 840 })]);
    expect(early.held[0]!.summary).toContain('rider near');

    const due = planRound({ now: NOW + 840, deliveries, riders, policy }, line);
    expect(due.offers).toHaveLength(1);
    expect(due.offers[0]).toMatchObject({ deliveryIds: ['d1'], riderIds: ['near'], departAt: NOW + 840 });
    // It arrives half a service before the food is ready, so the pickup is the moment the food is ready.
    expect(due.offers[0]!.stops).toEqual([
      { kind: 'pickup', placeId: 'r0', deliveryIds: ['d1'], at: NOW + 1200 },
      { kind: 'dropoff', placeId: 'd1', deliveryIds: ['d1'], at: NOW + 1200 + 60 + 300 + 60 },
    ]);
    expect(due.offers[0]!.why.terms.delay).toBe(0);
  });

  it('offers at once a delivery whose food is ready, to the rider who gets there first', () => {
    const sut = plan({ deliveries: [delivery('d1')], riders: [rider('far', 4000), rider('near', 500)] });
    expect(sut.offers.map((o) => o.riderIds)).toEqual([['near']]);
    expect(sut.offers[0]!.why.runnerUp).toEqual({ riderId: 'far', total: expect.any(Number) });
    expect(sut.offers[0]!.why.summary).toMatch(/rider near leaves now/);
  });

  it('waits for a busy rider who will be there in time rather than send a far free one early', () => {
    const sut = plan({
      deliveries: [delivery('d1', { readyAt: NOW + 900 })],
      riders: [rider('busy', 9000, { busyUntil: { at: NOW + 300, position: 300 }, load: 1 }), rider('far', 6000)],
    });
    expect(sut.offers).toEqual([]);
    expect(sut.held).toEqual([expect.objectContaining({ deliveryId: 'd1', reason: 'RIDER_BUSY', plannedRiderId: 'busy' })]);
  });

  it('bundles deliveries of one restaurant when riders are short, and gives each its own rider when they are not', () => {
    const deliveries = [delivery('d1', { dropoff: 1500 }), delivery('d2', { dropoff: 1800 })];
    const short = plan({ deliveries, riders: [rider('only', 300)] });
    expect(short.offers).toHaveLength(1);
    expect(short.offers[0]).toMatchObject({ deliveryIds: ['d1', 'd2'], riderIds: ['only'] });
    expect(short.offers[0]!.why.bundled).toMatch(/2 deliveries together/);

    const plenty = plan({ deliveries, riders: [rider('a', 300), rider('b', 300)] });
    expect(plenty.offers.map((o) => o.deliveryIds).sort()).toEqual([['d1'], ['d2']]);
  });

  it('never bundles deliveries of different restaurants unless the agency stacks them, and then only nearby', () => {
    const deliveries = [delivery('d1'), delivery('d2', { restaurantId: 'r1', pickup: 200, dropoff: 1700 })];
    const riders = [rider('only', 100)];
    expect(plan({ deliveries, riders }).offers.map((o) => o.deliveryIds.length)).toEqual([1]);
    const stacking = { ...policy, stacking: { acrossRestaurants: true, radiusMeters: 500 } };
    const stacked = planRound({ now: NOW, deliveries, riders, policy: stacking }, line);
    expect(stacked.offers).toHaveLength(1);
    expect(stacked.offers[0]!.stops.filter((s) => s.kind === 'pickup').map((s) => s.placeId)).toEqual(['r0', 'r1']);
    const tooFar = { ...policy, stacking: { acrossRestaurants: true, radiusMeters: 100 } };
    expect(planRound({ now: NOW, deliveries, riders, policy: tooFar }, line).offers.map((o) => o.deliveryIds.length)).toEqual([1]);
  });

  it('keeps a promise it can keep even when breaking it would save more delay overall', () => {
    // Travel times from a table: rider r1 is 100 s from both restaurants; r2 is 300 s from A and 450 s from B.
    const table: Record<string, number> = { 'r1>A': 100, 'r1>B': 100, 'r2>A': 300, 'r2>B': 450, 'A>a': 200, 'B>b': 200 };
    const geometry: PlannerGeometry<string> = {
      travelSeconds: (from, to) => table[`${from}>${to}`] ?? table[`${to}>${from}`] ?? 10_000,
      meters: () => 0,
    };
    const earliest = NOW + 60 + 200 + 60;
    const deliveries: WaitingDelivery<string>[] = [
      // Promised 200 s after the earliest it could arrive: only r1 (100 s away) keeps that.
      { id: 'tight', restaurantId: 'A', pickup: 'A', dropoff: 'a', placedAt: NOW - 900, readyAt: NOW, promisedAt: earliest + 200 },
      { id: 'loose', restaurantId: 'B', pickup: 'B', dropoff: 'b', placedAt: NOW - 60, readyAt: NOW },
    ];
    const riders = ['r1', 'r2'].map((id) => ({ id, position: id, load: 0, capacity: 1, idleSince: null }));
    const sut = planRound({ now: NOW, deliveries, riders, policy }, geometry);
    // Least delay alone would send r1 to B and r2 to A (400 s against 550 s), breaking the tight promise by 100 s.
    expect(Object.fromEntries(sut.offers.map((o) => [o.deliveryIds[0], o.riderIds[0]]))).toEqual({ tight: 'r1', loose: 'r2' });
    expect(sut.offers.every((o) => o.why.terms.pastPromise === 0)).toBe(true);
  });

  it('never offers a delivery to a rider who declined it', () => {
    const sut = plan({ deliveries: [delivery('d1', { declinedBy: ['near'] })], riders: [rider('near', 0), rider('far', 3000)] });
    expect(sut.offers.map((o) => o.riderIds)).toEqual([['far']]);
    const nobody = plan({ deliveries: [delivery('d1', { declinedBy: ['near'] })], riders: [rider('near', 0)] });
    expect(nobody.offers).toEqual([]);
    expect(nobody.held).toEqual([expect.objectContaining({ deliveryId: 'd1', reason: 'NO_RIDER' })]);
    expect(nobody.held[0]!.summary).toMatch(/declined/);
  });

  it("leaves an operator's assignment where it is and plans that rider around it", () => {
    const deliveries = [delivery('manual', { manualRiderId: 'near', dropoff: 3000 }), delivery('d2')];
    const sut = plan({ deliveries, riders: [rider('near', 0), rider('far', 3000)] });
    expect(sut.kept).toEqual([{ deliveryId: 'manual', riderId: 'near', summary: expect.stringContaining('operator') }]);
    expect(sut.offers.flatMap((o) => o.deliveryIds)).not.toContain('manual');
    expect(sut.held.map((h) => h.deliveryId)).not.toContain('manual');
    // Without the operator's job, `near` (at the restaurant) would take d2 at once; with it, it is busy for 720 s.
    expect(sut.offers).toEqual([expect.objectContaining({ deliveryIds: ['d2'], riderIds: ['far'] })]);
  });

  it('offers no rider more than its room', () => {
    const deliveries = [delivery('d1'), delivery('d2')];
    expect(plan({ deliveries, riders: [rider('full', 0, { load: 3 })] }).offers).toEqual([]);
    const oneLeft = plan({ deliveries, riders: [rider('one-left', 0, { load: 2 })] });
    expect(oneLeft.offers).toEqual([expect.objectContaining({ deliveryIds: [expect.any(String)], riderIds: ['one-left'] })]);
  });

  it("never plans a pickup after the rider's shift ends", () => {
    const sut = plan({ deliveries: [delivery('d1')], riders: [rider('leaving', 0, { shift: { end: NOW + 30 } }), rider('staying', 3000)] });
    expect(sut.offers.map((o) => o.riderIds)).toEqual([['staying']]);
  });

  it('broadcasts to the next best riders as well when the agency broadcasts', () => {
    const broadcast = { ...policy, offerMode: 'broadcast' as const, broadcastSize: 3 };
    const sut = planRound({ now: NOW, deliveries: [delivery('d1')], riders: [rider('a', 100), rider('b', 900), rider('c', 400), rider('d', 2000)], policy: broadcast }, line);
    expect(sut.offers.map((o) => o.riderIds)).toEqual([['a', 'c', 'b']]);
  });

  it('decides the same whatever order the input lists come in', () => {
    const deliveries = Array.from({ length: 12 }, (_, i) =>
      delivery(`d${i}`, { restaurantId: `r${i % 4}`, pickup: (i % 4) * 700, dropoff: 500 + i * 390, readyAt: NOW + (i % 5) * 240, placedAt: NOW - 600 + i * 10 }),
    );
    const riders = Array.from({ length: 7 }, (_, i) => rider(`r${i}`, i * 600, i % 3 === 0 ? { busyUntil: { at: NOW + i * 100, position: i * 500 }, load: 1 } : {}));
    const first = plan({ deliveries, riders });
    const again = plan({ deliveries: [...deliveries].reverse(), riders: [riders[3]!, ...riders.slice(4), ...riders.slice(0, 3)] });
    expect(again).toEqual(first);
    expect(first.offers.length + first.held.length).toBeGreaterThan(0);
  });
});
