import { describe, expect, it } from '@jest/globals';
import { RiderPresenceStore } from './rider-presence.store.js';

const rider = { id: 'r1', agencyId: 'a1' };
const here = { lng: 126.978, lat: 37.5665 };

describe('RiderPresenceStore', () => {
  it('makes a rider a candidate only while online and once it has said where it is', () => {
    const sut = new RiderPresenceStore();
    sut.connected(rider, 's1');
    expect(sut.isOnline('r1')).toBe(true);
    expect(sut.locatedOnline('a1')).toEqual([]);
    expect(sut.agenciesWithLocatedRiders()).toEqual([]);
    expect(sut.moved('r1', here)).toBe(true);
    expect(sut.moved('r1', here)).toBe(false);
    expect(sut.agenciesWithLocatedRiders()).toEqual(['a1']);
    expect(sut.locatedOnline('a1')).toEqual([{ riderId: 'r1', position: expect.objectContaining(here) }]);
    expect(sut.locatedOnline('another agency')).toEqual([]);
  });

  it('keeps a rider online until its last socket goes, then forgets where it is but remembers where it was', () => {
    const sut = new RiderPresenceStore();
    sut.connected(rider, 's1');
    sut.connected(rider, 's2');
    sut.moved('r1', here);
    expect(sut.disconnected('r1', 's1')).toBe(true);
    expect(sut.locatedOnline('a1')).toHaveLength(1);
    expect(sut.disconnected('r1', 's2')).toBe(false);
    expect(sut.isOnline('r1')).toBe(false);
    expect(sut.locatedOnline('a1')).toEqual([]);
    expect(sut.lastPosition('r1')).toMatchObject(here);

    // Back online, it must report again before it is offered work: its old position may be stale.
    sut.connected(rider, 's3');
    expect(sut.locatedOnline('a1')).toEqual([]);
    expect(sut.moved('r1', here)).toBe(true);
  });

  it('ignores positions from a rider that is not online', () => {
    const sut = new RiderPresenceStore();
    expect(sut.moved('ghost', here)).toBe(false);
    expect(sut.lastPosition('ghost')).toBeUndefined();
  });
});
