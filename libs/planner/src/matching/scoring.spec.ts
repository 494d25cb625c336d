import { describe, expect, it } from '@jest/globals';
import { scoreCandidates, stackDelaySeconds, travelSeconds, type RiderJob, type ScoringCandidate } from './scoring.js';

const pickup = { lng: 126.978, lat: 37.5665 };
const settings = { maxPickupMeters: 5000, stackPickupRadiusMeters: 500, stackMaxDelaySeconds: 600 };
/** Points north of the pickup: 0.009 degrees of latitude is ~1,000 m. */
const north = (meters: number) => ({ lng: pickup.lng, lat: pickup.lat + (meters / 1000) * 0.009 });

function rider(riderId: string, overrides: Partial<ScoringCandidate> = {}): ScoringCandidate {
  return { riderId, position: north(1000), capacity: 3, jobs: [], offered: 0, idleSeconds: null, ...overrides };
}

function job(overrides: Partial<RiderJob> = {}): RiderJob {
  return { deliveryId: 'job', pickup: north(100), dropoff: north(2000), pickedUp: false, assignedAt: new Date('2026-11-22T03:00:00Z'), ...overrides };
}

describe('scoreCandidates', () => {
  it('ranks free riders by straight-line distance when nothing else tells them apart, with a breakdown', () => {
    const sut = scoreCandidates(pickup, [rider('far', { position: north(3000) }), rider('near', { position: north(300) }), rider('mid')], settings);
    expect(sut.ranked.map((r) => r.riderId)).toEqual(['near', 'mid', 'far']);
    expect(sut.ranked[0].score).toEqual({
      total: expect.any(Number),
      distance: expect.any(Number),
      load: 1,
      stacking: 0,
      fairness: 1,
      distanceMeters: expect.any(Number),
      active: 0,
      capacity: 3,
      idleSeconds: null,
    });
    expect(sut.ranked[0].score.distanceMeters).toBeGreaterThan(280);
    expect(sut.ranked[0].score.distanceMeters).toBeLessThan(320);
    expect(sut.refused).toEqual([]);
  });

  it('leaves out riders beyond the pickup radius and riders without room', () => {
    const sut = scoreCandidates(
      pickup,
      [rider('beyond', { position: north(6000) }), rider('full', { capacity: 1, offered: 1 }), rider('ok')],
      settings,
    );
    expect(sut.ranked.map((r) => r.riderId)).toEqual(['ok']);
    expect(sut.refused).toEqual([
      { riderId: 'beyond', reason: 'BEYOND_MAX_PICKUP', detail: expect.any(String) },
      { riderId: 'full', reason: 'NO_ROOM', detail: expect.any(String) },
    ]);
  });

  it('prefers a rider who has waited longer over one just busy, at the same distance', () => {
    const sut = scoreCandidates(pickup, [rider('just-busy', { idleSeconds: 30 }), rider('rested', { idleSeconds: 1500 })], settings);
    expect(sut.ranked.map((r) => r.riderId)).toEqual(['rested', 'just-busy']);
    expect(sut.ranked[0].score.fairness).toBeGreaterThan(sut.ranked[1].score.fairness);
  });

  it('weighs load: of two riders at one spot, the emptier one ranks first', () => {
    const here = north(50);
    const sut = scoreCandidates(
      pickup,
      [
        rider('two-jobs', { position: here, idleSeconds: 1800, jobs: [job({ deliveryId: 'a' }), job({ deliveryId: 'b' })] }),
        rider('one-job', { position: here, idleSeconds: 1800, jobs: [job({ deliveryId: 'c' })] }),
      ],
      settings,
    );
    expect(sut.ranked.map((r) => r.riderId)).toEqual(['one-job', 'two-jobs']);
  });

  it('stacks a pickup near a job the rider is collecting, and says by how much it delays the first drop-off', () => {
    const sut = scoreCandidates(pickup, [rider('stacker', { position: north(600), jobs: [job({ pickup: north(200) })] })], settings);
    expect(sut.ranked).toEqual([{ riderId: 'stacker', score: expect.objectContaining({ active: 1, stack: { nearMeters: 200, delaySeconds: expect.any(Number) } }) }]);
    expect(sut.ranked[0].score.stacking).toBeGreaterThan(0);
  });

  it('refuses to stack a pickup beyond the radius of every job and of the rider', () => {
    const sut = scoreCandidates(pickup, [rider('busy', { position: north(1500), jobs: [job({ pickup: north(1200) })] })], settings);
    expect(sut.ranked).toEqual([]);
    expect(sut.refused).toEqual([{ riderId: 'busy', reason: 'STACK_OUT_OF_RADIUS', detail: expect.any(String) }]);
  });

  it('counts the rider itself as an anchor while it heads to a pickup, but not once it carries the food', () => {
    const heading = [job({ pickup: north(3000), dropoff: north(3500) })];
    expect(scoreCandidates(pickup, [rider('heading', { position: north(300), jobs: heading })], settings).ranked).toHaveLength(1);
    const carrying = [job({ pickup: north(3000), dropoff: north(3500), pickedUp: true })];
    expect(scoreCandidates(pickup, [rider('carrying', { position: north(300), jobs: carrying })], settings).refused).toEqual([
      { riderId: 'carrying', reason: 'STACK_OUT_OF_RADIUS', detail: expect.any(String) },
    ]);
  });

  it('refuses a stack that delays the first drop-off past the limit', () => {
    // The rider is collecting a job 400 m south of the new pickup, whose drop-off is 2 km further south: the
    // detour north and back is ~0.8 km × 1.3 at 20 km/h, about 190 s.
    const south = (meters: number) => ({ lng: pickup.lng, lat: pickup.lat - (meters / 1000) * 0.009 });
    const candidate = rider('detour', { position: south(400), jobs: [job({ pickup: south(400), dropoff: south(2400) })] });
    const delay = stackDelaySeconds(candidate.position, candidate.jobs, pickup);
    expect(delay).toBeGreaterThan(150);
    expect(delay).toBeLessThan(230);
    expect(scoreCandidates(pickup, [candidate], { ...settings, stackMaxDelaySeconds: 600 }).ranked).toHaveLength(1);
    expect(scoreCandidates(pickup, [candidate], { ...settings, stackMaxDelaySeconds: 120 }).refused).toEqual([
      { riderId: 'detour', reason: 'STACK_DELAY', detail: expect.any(String) },
    ]);
  });

  it('breaks ties by rider id so the choice is repeatable', () => {
    const here = north(500);
    const sut = scoreCandidates(pickup, [rider('b', { position: here }), rider('a', { position: here })], settings);
    expect(sut.ranked.map((r) => r.riderId)).toEqual(['a', 'b']);
  });
});

describe('stackDelaySeconds', () => {
  it('is nothing when the new pickup lies on the way', () => {
    // Rider at 0 m, collecting at 1,000 m, dropping at 2,000 m; the new pickup at 500 m is passed anyway.
    const jobs = [job({ pickup: north(1000), dropoff: north(2000) })];
    expect(stackDelaySeconds(pickup, jobs, north(500))).toBeLessThan(1);
  });

  it('estimates travel at 20 km/h over the straight line × 1.3', () => {
    // 1,000 m × 1.3 at 5.56 m/s ≈ 234 s.
    expect(travelSeconds(pickup, north(1000))).toBeGreaterThan(225);
    expect(travelSeconds(pickup, north(1000))).toBeLessThan(245);
  });
});
