import { describe, expect, it } from '@jest/globals';
import { loadConfig } from '#config';
import type { DeliveryEntity } from '../deliveries/delivery.entity.js';
import { dispatchGeometry, plannerPolicy, plannerRider, waitingDelivery } from './planning.policy.js';

const config = loadConfig({ DISPATCH_SWEEP_INTERVAL_MS: '2000', STACK_PICKUP_RADIUS_METERS: '0' });
const CITY_HALL = { lng: 126.978, lat: 37.5665 };
const GWANGHWAMUN = { lng: 126.9769, lat: 37.5759 };

describe('the planner as dispatch feeds it', () => {
  const geometry = dispatchGeometry(config);

  it("maps the agency's settings and the service's configuration onto the planner's policy", () => {
    const sut = plannerPolicy({ offerPolicy: 'broadcast', broadcastSize: 4, offerTimeoutSeconds: 45 }, config.dispatch);
    expect(sut).toMatchObject({
      offerMode: 'broadcast',
      broadcastSize: 4,
      offerLeadSeconds: 45,
      roundSeconds: 2,
      stacking: { acrossRestaurants: false, radiusMeters: 0 },
      promiseSeconds: 40 * 60,
      overdueSeconds: 60 * 60,
      maxBundleSize: 3,
      offerWhileBusy: true,
    });
  });

  it('rides the straight line × the detour factor at the rider speed, no map provider', () => {
    // ~1,045 m × 1.3 at 20 km/h: about 245 s.
    expect(geometry.travelSeconds(CITY_HALL, GWANGHWAMUN)).toBeCloseTo((geometry.meters(CITY_HALL, GWANGHWAMUN) * 1.3) / (20_000 / 3600), 6);
    expect(geometry.travelSeconds(CITY_HALL, GWANGHWAMUN)).toBeGreaterThan(240);
    expect(geometry.travelSeconds(CITY_HALL, GWANGHWAMUN)).toBeLessThan(250);
  });

  it('takes a delivery without a ready time as ready when it arrived, and keeps who declined it', () => {
    const createdAt = new Date('2026-12-06T03:00:00Z');
    const d = { id: 'd', restaurantId: 'r', pickupLng: CITY_HALL.lng, pickupLat: CITY_HALL.lat, dropoffLng: 0, dropoffLat: 0, createdAt, readyAt: null, promisedAt: null } as unknown as DeliveryEntity;
    expect(waitingDelivery(d, [])).toEqual({ id: 'd', restaurantId: 'r', pickup: CITY_HALL, dropoff: { lng: 0, lat: 0 }, placedAt: createdAt.getTime() / 1000, readyAt: createdAt.getTime() / 1000 });
    const timed = { ...d, readyAt: new Date('2026-12-06T03:20:00Z'), promisedAt: new Date('2026-12-06T03:45:00Z') } as DeliveryEntity;
    expect(waitingDelivery(timed, ['rider-1'])).toMatchObject({ readyAt: createdAt.getTime() / 1000 + 1200, promisedAt: createdAt.getTime() / 1000 + 2700, declinedBy: ['rider-1'] });
  });

  it('plans a rider from when and where it will have done its jobs: pickups still ahead, then the drop-offs', () => {
    const policy = plannerPolicy({ offerPolicy: 'sequential', broadcastSize: 1, offerTimeoutSeconds: 30 }, config.dispatch);
    const now = 1_800_000_000;
    const job = { deliveryId: 'j', pickup: CITY_HALL, dropoff: GWANGHWAMUN, pickedUp: false, assignedAt: new Date() };
    const sut = plannerRider({ riderId: 'x', capacity: 3, jobs: [job], idleSeconds: 60 }, CITY_HALL, now, geometry, policy);
    const ride = geometry.travelSeconds(CITY_HALL, GWANGHWAMUN);
    expect(sut).toEqual({ id: 'x', position: CITY_HALL, busyUntil: { at: now + 120 + ride + 120, position: GWANGHWAMUN }, load: 1, capacity: 3, idleSince: now - 60 });
    const free = plannerRider({ riderId: 'y', capacity: 2, jobs: [], idleSeconds: null }, GWANGHWAMUN, now, geometry, policy);
    expect(free).toEqual({ id: 'y', position: GWANGHWAMUN, load: 0, capacity: 2, idleSince: null });
  });
});
