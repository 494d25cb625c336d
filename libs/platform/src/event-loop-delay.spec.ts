import { describe, expect, it } from '@jest/globals';
import { eventually } from '../../../test/support/eventually.js';
import { EventLoopDelaySignal } from './event-loop-delay.js';

describe('EventLoopDelaySignal', () => {
  it('is overloaded after a window in which the loop kept lagging past its limit, and no longer once it keeps up', async () => {
    const sut = new EventLoopDelaySignal(200, 100);
    try {
      expect(sut.overloaded()).toBe(false);
      // Every turn of the loop takes 400 ms, as when more work arrives than the CPU can do.
      const busy = setInterval(() => {
        const until = Date.now() + 400;
        while (Date.now() < until);
      }, 1);
      try {
        await eventually(() => (sut.overloaded() ? true : undefined), 'the lag noticed', 5000);
      } finally {
        clearInterval(busy);
      }
      expect(sut.delayMs).toBeGreaterThan(200);
      await eventually(() => (sut.overloaded() ? undefined : true), 'the lag forgotten', 10_000);
    } finally {
      sut.stop();
    }
  });
});
