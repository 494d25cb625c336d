import { describe, expect, it } from '@jest/globals';
import { newReadyTime } from '../timing/timing.service.js';
import { isInstant } from './dto/field-rules.js';
import { orderTimes, timingErrors } from './order-timing.js';

const NOW = new Date('2026-12-06T03:00:00.000Z');
const at = (minutes: number) => new Date(NOW.getTime() + minutes * 60_000);

describe('isInstant', () => {
  it('takes ISO 8601 instants with an offset and nothing else', () => {
    for (const ok of ['2026-12-06T12:30:00+09:00', '2026-12-06T03:30Z', '2026-12-06T03:30:00.123456Z', '2024-02-29T00:00:00-05:30']) expect({ ok, is: isInstant(ok) }).toEqual({ ok, is: true });
    for (const bad of ['2026-12-06T12:30:00', '2026-02-29T00:00:00Z', '2026-12-06T24:00:00Z', '2026-13-01T00:00:00Z', '2026-12-06 12:30:00Z', '2026-12-06T12:30:00+0900', '', 1765000000000, null]) {
      expect({ bad, is: isInstant(bad) }).toEqual({ bad, is: false });
    }
  });
});

describe('timingErrors', () => {
  it('says nothing of a body without times, or with fields whose own rule will refuse them', () => {
    expect(timingErrors({}, NOW)).toEqual([]);
    expect(timingErrors({ readyAt: 'soon', cookingMinutes: 'ten' }, NOW)).toEqual([
      { field: 'readyAt', value: 'soon', reason: 'cannot be sent together with cookingMinutes (ten): send one' },
    ]);
  });

  it('allows a ready time up to 5 minutes past and 240 ahead, a promise up to 360 ahead', () => {
    expect(timingErrors({ readyAt: at(-5).toISOString(), promisedAt: at(360).toISOString() }, NOW)).toEqual([]);
    expect(timingErrors({ readyAt: at(240).toISOString() }, NOW)).toEqual([]);
    expect(timingErrors({ readyAt: at(-5.1).toISOString() }, NOW).map((e) => e.field)).toEqual(['readyAt']);
    expect(timingErrors({ readyAt: at(240.1).toISOString() }, NOW).map((e) => e.field)).toEqual(['readyAt']);
    expect(timingErrors({ promisedAt: at(360.1).toISOString() }, NOW).map((e) => e.field)).toEqual(['promisedAt']);
  });

  it('refuses a promise before the ready time, however each was sent, and allows one at it', () => {
    expect(timingErrors({ cookingMinutes: 20, promisedAt: at(19).toISOString() }, NOW).map((e) => e.field)).toEqual(['promisedAt']);
    expect(timingErrors({ readyAt: at(30).toISOString(), promisedMinutes: 29 }, NOW).map((e) => e.field)).toEqual(['promisedMinutes']);
    expect(timingErrors({ cookingMinutes: 20, promisedMinutes: 20 }, NOW)).toEqual([]);
  });
});

describe('orderTimes', () => {
  it('counts minutes from acceptance, takes instants as sent, and falls back to the default cooking time', () => {
    expect(orderTimes({ cookingMinutes: 15, promisedMinutes: 40 }, NOW, 10)).toEqual({ readyAt: at(15), promisedAt: at(40) });
    expect(orderTimes({ readyAt: '2026-12-06T12:30:00+09:00' }, NOW, 10)).toEqual({ readyAt: at(30), promisedAt: null });
    expect(orderTimes({}, NOW, 10)).toEqual({ readyAt: at(10), promisedAt: null });
    expect(orderTimes({ cookingMinutes: 0 }, NOW, 10)).toEqual({ readyAt: NOW, promisedAt: null });
  });
});

describe('newReadyTime', () => {
  const order = { readyAt: at(10), createdAt: at(-5) };

  it('is now for "ready", whatever was said', () => {
    expect(newReadyTime(order, { change: 'ready' }, NOW)).toEqual(NOW);
  });

  it('delays from the time said, or from now once that has passed, or from acceptance for orders without one', () => {
    expect(newReadyTime(order, { change: 'delayed', minutes: 10 }, NOW)).toEqual(at(20));
    expect(newReadyTime({ ...order, readyAt: at(-8) }, { change: 'delayed', minutes: 10 }, NOW)).toEqual(at(10));
    expect(newReadyTime({ readyAt: null, createdAt: at(-5) }, { change: 'delayed', minutes: 3 }, NOW)).toEqual(at(3));
  });
});
