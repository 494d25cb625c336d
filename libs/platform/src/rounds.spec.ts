import { describe, expect, it } from '@jest/globals';
import { AsyncLocalStorage } from 'node:async_hooks';
import { Rounds } from './rounds.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('Rounds', () => {
  it('runs a round outside the async context of whoever woke it', async () => {
    const context = new AsyncLocalStorage<string>();
    const seenIn: Array<string | undefined> = [];
    const sut = new Rounds(async () => void seenIn.push(context.getStore()), 60_000, () => undefined);
    context.run('a request', () => sut.wake());
    await sut.idle();
    expect(seenIn).toEqual([undefined]);
    await sut.stop();
  });

  it('runs one round at a time, and one more after it however often it was woken meanwhile', async () => {
    let running = 0;
    let most = 0;
    let rounds = 0;
    const sut = new Rounds(
      async () => {
        rounds++;
        most = Math.max(most, ++running);
        await sleep(20);
        running--;
      },
      60_000,
      () => undefined,
    );
    sut.wake();
    sut.wake();
    sut.wake();
    await sleep(80);
    expect(rounds).toBe(2);
    expect(most).toBe(1);
    await sut.stop();
  });

  it('with a minimum gap, starts rounds that far apart under a stream of wakes, and still runs the last one asked for', async () => {
    const starts: number[] = [];
    const sut = new Rounds(
      async () => {
        starts.push(performance.now());
      },
      60_000,
      () => undefined,
      50,
    );
    const until = performance.now() + 300;
    while (performance.now() < until) {
      sut.wake();
      await sleep(2);
    }
    await sleep(80);
    // At most one round per gap over the 300 ms (however late timers fire), not one per wake (~150 of them).
    expect(starts.length).toBeGreaterThanOrEqual(2);
    expect(starts.length).toBeLessThanOrEqual(8);
    for (let i = 1; i < starts.length; i++) expect(starts[i]! - starts[i - 1]!).toBeGreaterThanOrEqual(48);
    // A wake after the stream ended was honoured: the last round started after the last wake.
    expect(starts[starts.length - 1]!).toBeGreaterThan(until - 50);
    await sut.stop();
  });

  it('reports a failed round and runs the next', async () => {
    const errors: unknown[] = [];
    let calls = 0;
    const sut = new Rounds(
      async () => {
        if (++calls === 1) throw new Error('database down');
      },
      60_000,
      (error) => errors.push(error),
    );
    sut.wake();
    await sut.idle();
    sut.wake();
    await sut.idle();
    expect(calls).toBe(2);
    expect(errors).toEqual([new Error('database down')]);
    await sut.stop();
  });
});
