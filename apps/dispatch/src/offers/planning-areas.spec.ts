import { describe, expect, it } from '@jest/globals';
import { planningAreas, type Placed } from './planning-areas.js';

/** A point `east` and `north` metres from Seoul City Hall. */
const near = (east: number, north: number) => ({ lng: 126.978 + east / (111_320 * Math.cos((37.5665 * Math.PI) / 180)), lat: 37.5665 + north / 111_320 });
const delivery = (id: string, pickup: { lng: number; lat: number }, restaurantId = `r-${id}`, agencyId = 'a'): Placed => ({ id, agencyId, restaurantId, pickup });
const ids = (areas: Placed[][]) => areas.map((area) => area.map((d) => d.id));
const limits = { stackRadiusMeters: 500, maxDeliveries: 50, cellDegrees: 0.02 };

describe('planningAreas', () => {
  it('puts two restaurants across the street in one area even where a 2 km square would part them', () => {
    // A grid line of 0.02° runs between them (37.56 and 37.58 are multiples of it).
    const south = { lng: 126.978, lat: 37.5799 };
    const north = { lng: 126.978, lat: 37.5801 };
    expect(Math.floor(south.lat / 0.02)).not.toBe(Math.floor(north.lat / 0.02));
    expect(ids(planningAreas([delivery('s', south), delivery('n', north)], limits))).toEqual([['s', 'n']]);
  });

  it('chains pickups each within the radius of the next, and keeps apart what is farther than the radius from all', () => {
    const areas = planningAreas([delivery('a', near(0, 0)), delivery('far', near(3000, 0)), delivery('b', near(400, 0)), delivery('c', near(800, 0))], limits);
    expect(ids(areas)).toEqual([['a', 'b', 'c'], ['far']]);
  });

  it("keeps one restaurant's deliveries together with no stacking across restaurants, and agencies apart always", () => {
    const shop = near(0, 0);
    const areas = planningAreas(
      [delivery('1', shop, 'shop'), delivery('next door', near(50, 0)), delivery('2', shop, 'shop'), delivery('other agency', shop, 'shop', 'b')],
      { ...limits, stackRadiusMeters: 0 },
    );
    expect(ids(areas)).toEqual([['1', '2'], ['next door'], ['other agency']]);
  });

  it('cuts a group larger than the limit along the grid, then in order, and never loses or repeats a delivery', () => {
    // 30 restaurants 100 m apart in a line across a grid line: one chain of 60 deliveries.
    const many = Array.from({ length: 60 }, (_, i) => delivery(`d${i}`, { lng: 126.978, lat: 37.579 + (Math.floor(i / 2) * 100) / 111_320 }, `r${Math.floor(i / 2)}`));
    const areas = planningAreas(many, { ...limits, maxDeliveries: 20 });
    expect(areas.every((area) => area.length <= 20)).toBe(true);
    expect(areas.flat().map((d) => d.id).sort()).toEqual(many.map((d) => d.id).sort());
    expect(areas.length).toBeGreaterThanOrEqual(3);
    expect(planningAreas(many, { ...limits, maxDeliveries: 20 })).toEqual(areas);
  });
});
