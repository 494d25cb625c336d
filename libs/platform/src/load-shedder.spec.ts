import { describe, expect, it } from '@jest/globals';
import { LoadShedder, type ShedderWork } from './load-shedder.js';

/** A request as the shedder sees it: still arriving or not, and whether it was dropped. */
function work(receiving = false): ShedderWork & { evicted: boolean; receiving: boolean } {
  return {
    receiving,
    evicted: false,
    evict() {
      this.evicted = true;
    },
  };
}

describe('LoadShedder', () => {
  const clock = () => {
    let now = 0;
    return { now: () => now, advance: (ms: number) => (now += ms) };
  };

  it('admits up to the bound, refuses the next at once, and admits again once one is done', () => {
    const sut = new LoadShedder({ maxInFlight: 2, slowClientMs: 1000 });
    const first = sut.admit(work());
    const second = sut.admit(work());
    expect(first).toBeDefined();
    expect(second).toBeDefined();
    expect(sut.inFlight).toBe(2);

    expect(sut.admit(work())).toBeUndefined();
    expect(sut.shed).toBe(1);
    expect(sut.inFlight).toBe(2);

    first!();
    first!(); // releasing twice frees one slot, not two
    expect(sut.inFlight).toBe(1);
    expect(sut.admit(work())).toBeDefined();
    expect(sut.admit(work())).toBeUndefined();
    expect(sut).toMatchObject({ inFlight: 2, shed: 2, admitted: 3, evicted: 0, limit: 2 });
  });

  it('never refuses with no bound', () => {
    const sut = new LoadShedder({ maxInFlight: 0, slowClientMs: 1000 });
    for (let i = 0; i < 1000; i++) expect(sut.admit(work())).toBeDefined();
    expect(sut).toMatchObject({ inFlight: 1000, shed: 0 });
  });

  it('makes room by dropping the oldest request whose client is still sending it after slowClientMs', () => {
    const time = clock();
    const sut = new LoadShedder({ maxInFlight: 3, slowClientMs: 1000, now: time.now });
    const working = work(false);
    const slowOld = work(true);
    const slowNew = work(true);
    sut.admit(working);
    sut.admit(slowOld);
    time.advance(500);
    sut.admit(slowNew);
    time.advance(600);

    // slowOld has been arriving for 1,100 ms, slowNew for 600 ms: only the first may go.
    expect(sut.admit(work())).toBeDefined();
    expect([working.evicted, slowOld.evicted, slowNew.evicted]).toEqual([false, true, false]);
    expect(sut).toMatchObject({ inFlight: 3, evicted: 1, shed: 0 });

    // No other client has been slow long enough, and a request being worked on is never dropped.
    expect(sut.admit(work())).toBeUndefined();
    expect(sut).toMatchObject({ inFlight: 3, evicted: 1, shed: 1 });
  });

  it('does not count a dropped request twice when its release comes later', () => {
    const time = clock();
    const sut = new LoadShedder({ maxInFlight: 1, slowClientMs: 10, now: time.now });
    const slow = work(true);
    const release = sut.admit(slow)!;
    time.advance(20);
    expect(sut.admit(work())).toBeDefined();
    release();
    expect(sut.inFlight).toBe(1);
  });

  it('sheds while another signal says the service is overloaded, under the bound too, and counts why', () => {
    let lagging = true;
    const sut = new LoadShedder({ maxInFlight: 10, slowClientMs: 1000, signals: [{ name: 'eventLoopDelay', overloaded: () => lagging }] });
    expect(sut.admit(work())).toBeUndefined();
    lagging = false;
    expect(sut.admit(work())).toBeDefined();
    expect(sut.shedBy).toEqual({ inFlight: 0, eventLoopDelay: 1 });
  });
});
