import { describe, expect, it } from '@jest/globals';
import { DomainError } from '#platform';
import { LinearRiderIndex } from '#planner';
import { RiderPresenceStore } from './rider-presence.store.js';

const rider = { id: 'r1', agencyId: 'a1' };
const here = { lng: 126.978, lat: 37.5665 };
/** About 1 km and 5 km north of `here`. */
const km1North = { lng: 126.978, lat: 37.5755 };
const km5North = { lng: 126.978, lat: 37.6115 };
const T0 = Date.parse('2026-11-22T03:00:00.000Z');

function setup() {
  let now = T0;
  const index = new LinearRiderIndex();
  const sut = new RiderPresenceStore({ heartbeatTimeoutMs: 30_000, maxSpeedKmh: 200 }, index, () => now);
  return { sut, index, advance: (ms: number) => (now += ms), at: (msFromT0: number) => new Date(T0 + msFromT0) };
}

function refusal(work: () => unknown): DomainError {
  try {
    work();
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('RiderPresenceStore', () => {
  it('makes a rider a candidate only while online and once it has said where it is, and feeds the index', () => {
    const { sut, index, advance } = setup();
    sut.connected(rider, 's1');
    expect(sut.isOnline('r1')).toBe(true);
    expect(sut.state('r1')).toBe('online');
    expect(sut.isAvailable('r1')).toBe(false);
    expect(sut.availableIn('a1')).toEqual([]);
    expect(sut.agenciesWithLocatedRiders()).toEqual([]);
    expect(sut.moved('r1', here)).toBe(true);
    expect(sut.moved('r1', here)).toBe(false);
    expect(sut.isAvailable('r1')).toBe(true);
    expect(sut.agenciesWithLocatedRiders()).toEqual(['a1']);
    expect(sut.availableIn('a1')).toEqual([{ riderId: 'r1', position: expect.objectContaining(here) }]);
    expect(sut.availableIn('another agency')).toEqual([]);
    expect(index.nearest('a1', here, 5)).toEqual([expect.objectContaining({ riderId: 'r1', point: here })]);

    advance(20_000); // 1 km in 20 s: 180 km/h
    sut.moved('r1', km1North);
    expect(index.nearest('a1', here, 5)).toEqual([expect.objectContaining({ riderId: 'r1', point: km1North })]);
  });

  it('keeps a rider online until its last socket goes, then takes it out of matching but remembers where it was', () => {
    const { sut, index, advance } = setup();
    sut.connected(rider, 's1');
    sut.connected(rider, 's2');
    sut.moved('r1', here);
    expect(sut.disconnected('r1', 's1')).toBe(true);
    expect(sut.availableIn('a1')).toHaveLength(1);
    expect(sut.disconnected('r1', 's2')).toBe(false);
    expect(sut.isOnline('r1')).toBe(false);
    expect(sut.state('r1')).toBe('offline');
    expect(sut.availableIn('a1')).toEqual([]);
    expect(index.size()).toBe(0);
    expect(sut.lastPosition('r1')).toMatchObject(here);

    // Back within a minute of its last position, it is matched there until it reports a fresh one.
    advance(59_000);
    sut.connected(rider, 's3');
    expect(sut.availableIn('a1')).toEqual([{ riderId: 'r1', position: expect.objectContaining(here) }]);

    // Back later than that, it must report again: where it was may be far from where it is.
    sut.disconnected('r1', 's3');
    advance(2_000);
    sut.connected(rider, 's4');
    expect(sut.isAvailable('r1')).toBe(false);
    expect(sut.moved('r1', here)).toBe(true);
  });

  it('ignores positions from a rider that is not online', () => {
    const { sut } = setup();
    expect(sut.moved('ghost', here)).toBe(false);
    expect(sut.lastPosition('ghost')).toBeUndefined();
  });

  it('hides a rider on break from matching while it stays connected, and brings it back where it last reported', () => {
    const { sut, index, advance } = setup();
    sut.connected(rider, 's1');
    sut.moved('r1', here);
    expect(sut.startBreak('r1')).toBe('on_break');
    expect(sut.isOnline('r1')).toBe(true);
    expect(sut.isAvailable('r1')).toBe(false);
    expect(sut.availableIn('a1')).toEqual([]);
    expect(sut.agenciesWithLocatedRiders()).toEqual([]);
    expect(index.size()).toBe(0);

    // Positions during the break are kept for the board, but do not put the rider back.
    advance(20_000);
    expect(sut.moved('r1', km1North)).toBe(false);
    expect(index.size()).toBe(0);
    expect(sut.lastPosition('r1')).toMatchObject(km1North);

    // A break survives a reconnect: only break:end ends it.
    sut.disconnected('r1', 's1');
    sut.connected(rider, 's2');
    expect(sut.state('r1')).toBe('on_break');

    expect(sut.endBreak('r1')).toEqual({ state: 'online', available: true });
    expect(index.nearest('a1', here, 5)).toEqual([expect.objectContaining({ riderId: 'r1', point: km1North })]);
  });

  it('takes a silent rider out of matching without disconnecting it, and back at its next message', () => {
    const { sut, index, advance } = setup();
    sut.connected(rider, 's1');
    sut.moved('r1', here);

    advance(30_000);
    expect(sut.state('r1')).toBe('online');
    expect(sut.dropSilent()).toBe(0);
    advance(1);
    expect(sut.state('r1')).toBe('silent');
    expect(sut.isOnline('r1')).toBe(true);
    // Out of matching at once, and out of the index at the next check.
    expect(sut.availableIn('a1')).toEqual([]);
    expect(sut.agenciesWithLocatedRiders()).toEqual([]);
    expect(index.size()).toBe(1);
    expect(sut.dropSilent()).toBe(1);
    expect(index.size()).toBe(0);

    expect(sut.seen('r1')).toBe(true);
    expect(sut.state('r1')).toBe('online');
    expect(sut.lastSeenAt('r1')).toEqual(new Date(T0 + 30_001));
    expect(sut.availableIn('a1')).toEqual([{ riderId: 'r1', position: expect.objectContaining(here) }]);
    expect(index.size()).toBe(1);
    expect(sut.seen('r1')).toBe(false);
  });

  it('refuses a move faster than a rider can go, keeping the last position, and takes a plausible one', () => {
    const { sut, index, advance, at } = setup();
    sut.connected(rider, 's1');
    sut.moved('r1', here, at(0));
    advance(60_000);

    const error = refusal(() => sut.moved('r1', km5North, at(60_000)));
    expect(error.code).toBe('IMPLAUSIBLE_LOCATION');
    expect(error.message).toMatch(/30\d km\/h/);
    expect(error.details).toEqual({ speedKmh: expect.any(Number), fromLastMeters: expect.any(Number), seconds: 60 });
    const details = error.details as { speedKmh: number; fromLastMeters: number };
    expect(details.speedKmh).toBeGreaterThanOrEqual(299);
    expect(details.speedKmh).toBeLessThanOrEqual(302);
    expect(details.fromLastMeters).toBeGreaterThan(4990);
    expect(sut.lastPosition('r1')).toMatchObject({ ...here, at: at(0) });
    expect(index.nearest('a1', here, 1)[0].point).toEqual(here);

    // 1 km in a minute is 60 km/h: taken.
    sut.moved('r1', km1North, at(60_000));
    expect(sut.lastPosition('r1')).toMatchObject({ ...km1North, at: at(60_000) });
  });

  it('checks no speed when the limit is 0', () => {
    const index = new LinearRiderIndex();
    const sut = new RiderPresenceStore({ heartbeatTimeoutMs: 30_000, maxSpeedKmh: 0 }, index, () => T0);
    sut.connected(rider, 's1');
    sut.moved('r1', here);
    sut.moved('r1', km5North);
    expect(sut.lastPosition('r1')).toMatchObject(km5North);
  });

  it('refuses a position dated ahead of the server by more than 5 s, or before the last one taken', () => {
    const { sut, at } = setup();
    sut.connected(rider, 's1');

    const ahead = refusal(() => sut.moved('r1', here, at(5_001)));
    expect(ahead).toMatchObject({ code: 'STALE_LOCATION', details: { at: at(5_001).toISOString(), serverTime: at(0).toISOString() } });
    expect(sut.lastPosition('r1')).toBeUndefined();
    expect(sut.isAvailable('r1')).toBe(false);

    // A phone clock a little ahead is fine.
    expect(sut.moved('r1', here, at(4_000))).toBe(true);
    const older = refusal(() => sut.moved('r1', km1North, at(3_000)));
    expect(older).toMatchObject({ code: 'STALE_LOCATION', details: { lastAt: at(4_000).toISOString() } });
    expect(sut.lastPosition('r1')).toMatchObject({ ...here, at: at(4_000) });
  });

  it('hands out for writing only the riders that moved since the last time, each at its latest position', () => {
    const { sut, advance } = setup();
    sut.connected(rider, 's1');
    sut.connected({ id: 'r2', agencyId: 'a1' }, 's2');
    sut.moved('r1', here);
    advance(20_000);
    sut.moved('r1', km1North);
    sut.moved('r2', here);
    expect(sut.takeUnsaved()).toEqual([
      { riderId: 'r1', position: { ...km1North, at: new Date(T0 + 20_000) } },
      { riderId: 'r2', position: { ...here, at: new Date(T0 + 20_000) } },
    ]);
    expect(sut.takeUnsaved()).toEqual([]);

    advance(20_000);
    sut.moved('r2', km1North);
    expect(sut.takeUnsaved().map((u) => u.riderId)).toEqual(['r2']);
    // A failed write is retried with the next one.
    sut.keepUnsaved(['r2']);
    expect(sut.takeUnsaved().map((u) => u.riderId)).toEqual(['r2']);
  });

  it('hands out unsaved positions a slice of the riders at a time, by the last digit of their id, or all at once', () => {
    const { sut } = setup();
    sut.connected(rider, 's1');
    sut.connected({ id: 'r2', agencyId: 'a1' }, 's2');
    sut.moved('r1', here);
    sut.moved('r2', here);
    expect(sut.takeUnsaved(2).map((u) => u.riderId)).toEqual(['r2']);
    expect(sut.takeUnsaved(2)).toEqual([]);
    sut.keepUnsaved(['r2']);
    expect(sut.takeUnsaved().map((u) => u.riderId).sort()).toEqual(['r1', 'r2']);
  });

  it('shows restored positions as last known, and matches a rider reconnecting within a minute of one there', () => {
    const { sut, at } = setup();
    sut.restore([
      { riderId: 'r1', agencyId: 'a1', position: { ...here, at: at(-20_000) } },
      { riderId: 'r2', agencyId: 'a1', position: { ...km1North, at: at(-600_000) } },
    ]);
    expect(sut.state('r1')).toBe('offline');
    expect(sut.lastPosition('r1')).toEqual({ ...here, at: at(-20_000) });
    expect(sut.lastSeenAt('r2')).toEqual(at(-600_000));
    expect(sut.availableIn('a1')).toEqual([]);
    expect(sut.takeUnsaved()).toEqual([]);

    sut.connected(rider, 's1');
    sut.connected({ id: 'r2', agencyId: 'a1' }, 's2');
    expect(sut.availableIn('a1')).toEqual([{ riderId: 'r1', position: { ...here, at: at(-20_000) } }]);

    // The speed check starts from the restored position too.
    expect(refusal(() => sut.moved('r1', km5North)).code).toBe('IMPLAUSIBLE_LOCATION');
  });

  describe('with other dispatch instances', () => {
    const remote = (overrides: Partial<Parameters<RiderPresenceStore['mirror']>[1]> = {}) => ({
      riderId: 'r1',
      agencyId: 'a1',
      connected: true,
      onBreak: false,
      lastSeenAt: T0,
      position: { ...here, at: new Date(T0) },
      located: true,
      ...overrides,
    });

    it('makes a rider located on another instance a candidate here, until that instance says it left or is gone', () => {
      const { sut, index } = setup();
      expect(sut.mirror('b', remote())).toBe(true);
      expect(sut.state('r1')).toBe('online');
      expect(index.nearest('a1', here, 5)).toEqual([expect.objectContaining({ riderId: 'r1', point: here })]);
      // Its sockets are not this instance's: nothing to tell the others, nothing to write.
      expect(sut.localRiders()).toEqual([]);
      expect(sut.takeUnsaved()).toEqual([]);

      expect(sut.mirror('b', remote({ position: { ...km1North, at: new Date(T0 + 60_000) }, lastSeenAt: T0 + 60_000 }))).toBe(false);
      expect(index.nearest('a1', here, 5)).toEqual([expect.objectContaining({ point: km1North })]);
      // An older position, late, changes nothing.
      sut.mirror('b', remote());
      expect(sut.lastPosition('r1')).toMatchObject(km1North);

      sut.mirror('b', remote({ connected: false, located: false }));
      expect(sut.state('r1')).toBe('offline');
      expect(index.size()).toBe(0);

      sut.mirror('c', remote({ lastSeenAt: T0 + 60_000, position: { ...here, at: new Date(T0 + 61_000) } }));
      expect(sut.isAvailable('r1')).toBe(true);
      sut.forgetInstance('c');
      expect(sut.state('r1')).toBe('offline');
      expect(index.size()).toBe(0);
    });

    it('keeps a rider online here while another instance holds a socket of it, and goes silent by its last sign of life anywhere', () => {
      const { sut, advance } = setup();
      sut.connected(rider, 's1');
      sut.moved('r1', here);
      sut.mirror('b', remote({ located: false }));
      expect(sut.disconnected('r1', 's1')).toBe(true);
      expect(sut.isAvailable('r1')).toBe(true);
      expect(sut.localView('r1')).toMatchObject({ connected: false, located: false });

      advance(31_000);
      sut.dropSilent();
      expect(sut.state('r1')).toBe('silent');
      sut.mirror('b', remote({ lastSeenAt: T0 + 31_000, located: true }));
      expect(sut.state('r1')).toBe('online');
      sut.mirror('b', remote({ onBreak: true }));
      expect(sut.state('r1')).toBe('on_break');
    });

    it('tells its watcher of every change through its own sockets, and what it was', () => {
      const { sut } = setup();
      const changes: string[] = [];
      sut.watch((riderId, change) => changes.push(`${riderId}:${change}`));
      sut.connected(rider, 's1');
      sut.seen('r1');
      sut.moved('r1', here);
      sut.startBreak('r1');
      sut.endBreak('r1');
      sut.disconnected('r1', 's1');
      sut.mirror('b', remote());
      expect(changes).toEqual(['r1:state', 'r1:seen', 'r1:moved', 'r1:state', 'r1:state', 'r1:state']);
      expect(sut.localView('r1')).toMatchObject({ riderId: 'r1', agencyId: 'a1', connected: false, position: { ...here, at: new Date(T0) } });
    });
  });
});
