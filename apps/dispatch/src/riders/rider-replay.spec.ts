import { describe, expect, it } from '@jest/globals';
import { RiderReplayBuffer } from './rider-replay.js';

describe('RiderReplayBuffer', () => {
  const clock = { now: 1_000_000 };
  const make = (keepMs = 60_000, maxEvents = 5) => new RiderReplayBuffer(keepMs, maxEvents, () => clock.now);

  it("numbers each rider's events in one sequence of its own", () => {
    const sut = make();
    expect([sut.append('a', 'offer', {}), sut.append('a', 'offer:expired', {}), sut.append('b', 'offer', {})]).toEqual([1, 2, 1]);
    expect([sut.lastSeq('a'), sut.lastSeq('b'), sut.lastSeq('c')]).toEqual([2, 1, 0]);
  });

  it('replays what an app of this run missed, in order, and nothing when it missed nothing', () => {
    const sut = make();
    for (const event of ['offer', 'offer:taken', 'delivery:assigned']) sut.append('a', event, { event });
    expect(sut.resume('a', sut.epoch, 1)).toEqual({
      replay: [expect.objectContaining({ seq: 2, event: 'offer:taken' }), expect.objectContaining({ seq: 3, event: 'delivery:assigned', payload: { event: 'delivery:assigned' } })],
    });
    expect(sut.resume('a', sut.epoch, 3)).toEqual({ replay: [] });
    expect(sut.resume('z', sut.epoch, 0)).toEqual({ replay: [] });
  });

  it('says to rebuild when the numbers are of another run, ahead of the stream, or what was missed is no longer kept', () => {
    const sut = make(60_000, 2);
    for (let i = 0; i < 4; i++) sut.append('a', 'offer', { i });
    expect(sut.resume('a', 'another-run', 3)).toEqual({ rebuild: 'unknown_stream' });
    expect(sut.resume('a', sut.epoch, 9)).toEqual({ rebuild: 'ahead' });
    // Only events 3 and 4 are kept (two a rider): an app that saw 1 would miss 2.
    expect(sut.resume('a', sut.epoch, 1)).toEqual({ rebuild: 'too_old' });
    expect(sut.resume('a', sut.epoch, 2)).toEqual({ replay: [expect.objectContaining({ seq: 3 }), expect.objectContaining({ seq: 4 })] });
  });

  it('forgets events older than it keeps them, but never the numbering', () => {
    const sut = make(60_000, 100);
    sut.append('a', 'offer', {});
    clock.now += 30_000;
    sut.append('a', 'offer:expired', {});
    clock.now += 40_000;
    expect(sut.prune()).toBe(1);
    expect(sut.size()).toEqual({ riders: 1, events: 1 });
    expect(sut.resume('a', sut.epoch, 0)).toEqual({ rebuild: 'too_old' });
    expect(sut.resume('a', sut.epoch, 1)).toEqual({ replay: [expect.objectContaining({ seq: 2 })] });
    clock.now += 60_000;
    expect(sut.resume('a', sut.epoch, 1)).toEqual({ rebuild: 'too_old' });
    expect(sut.append('a', 'offer', {})).toBe(3);
  });
});
