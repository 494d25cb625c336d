import { describe, expect, it } from '@jest/globals';
import { nearestRider } from './nearest-rider.js';

const pickup = { lng: 126.978, lat: 37.5665 };

describe('nearestRider', () => {
  it('picks the candidate closest in a straight line, and says how far', () => {
    const sut = nearestRider(pickup, [
      { riderId: 'far', position: { lng: 127.023, lat: 37.5665 } },
      { riderId: 'near', position: { lng: 126.978, lat: 37.5692 } },
      { riderId: 'middle', position: { lng: 126.978, lat: 37.58 } },
    ]);
    expect(sut?.riderId).toBe('near');
    expect(sut?.distanceMeters).toBeGreaterThan(280);
    expect(sut?.distanceMeters).toBeLessThan(320);
  });

  it('is not fooled by longitude degrees being shorter than latitude degrees', () => {
    // 0.01 degrees east is ~880 m at Seoul's latitude; 0.009 degrees north is ~1,000 m.
    const sut = nearestRider(pickup, [
      { riderId: 'north', position: { lng: pickup.lng, lat: pickup.lat + 0.009 } },
      { riderId: 'east', position: { lng: pickup.lng + 0.01, lat: pickup.lat } },
    ]);
    expect(sut?.riderId).toBe('east');
  });

  it('breaks ties by rider id so the choice is repeatable', () => {
    const here = { lng: 126.98, lat: 37.57 };
    expect(nearestRider(pickup, [{ riderId: 'b', position: here }, { riderId: 'a', position: here }])?.riderId).toBe('a');
  });

  it('has no answer without candidates', () => {
    expect(nearestRider(pickup, [])).toBeUndefined();
  });
});
