import { describe, expect, it } from '@jest/globals';
import { LoadShedder, type ShedderWork } from './load-shedder.js';

/** A request as the shedder sees it, whose body the test lets arrive. */
function work(receiving = false): ShedderWork & { receiving: boolean; arrive(): void } {
  const waiting: Array<() => void> = [];
  return {
    receiving,
    whenArrived: (callback) => void waiting.push(callback),
    arrive() {
      this.receiving = false;
      waiting.forEach((callback) => callback());
    },
  };
}

describe('LoadShedder', () => {
  /** The event loop's turns, ended by the test. */
  const loop = () => {
    const pending: Array<() => void> = [];
    return { nextTurn: (callback: () => void) => void pending.push(callback), endTurn: () => pending.splice(0).forEach((callback) => callback()) };
  };

  it('admits up to the bound, refuses the next at once, and admits again once one is done', () => {
    const sut = new LoadShedder({ maxInFlight: 2 });
    const first = sut.admit(work());
    const second = sut.admit(work());
    expect(first).toBeDefined();
    expect(second).toBeDefined();
    expect(sut.inFlight).toBe(2);

    expect(sut.admit(work())).toBeUndefined();
    expect(sut.shed).toBe(1);
    expect(sut.inFlight).toBe(2);

    first!();
    first!(); // releasing twice frees one place, not two
    expect(sut.inFlight).toBe(1);
    expect(sut.admit(work())).toBeDefined();
    expect(sut.admit(work())).toBeUndefined();
    expect(sut).toMatchObject({ inFlight: 2, shed: 2, admitted: 3, limit: 2 });
  });

  it('never refuses with no bound', () => {
    const sut = new LoadShedder({ maxInFlight: 0 });
    for (let i = 0; i < 1000; i++) expect(sut.admit(work())).toBeDefined();
    expect(sut).toMatchObject({ inFlight: 1000, shed: 0 });
  });

  it('counts requests whose bodies are still arriving in the turn that admitted them, so a burst is bounded too', () => {
    const sut = new LoadShedder({ maxInFlight: 3, nextTurn: loop().nextTurn });
    const burst = Array.from({ length: 5 }, () => sut.admit(work(true)));
    expect(burst.map((release) => release !== undefined)).toEqual([true, true, true, false, false]);
  });

  it('stops counting a request still arriving a turn of the event loop later, and counts it again once it has arrived', () => {
    const turns = loop();
    const sut = new LoadShedder({ maxInFlight: 2, nextTurn: turns.nextTurn });
    const slow = work(true);
    const releaseSlow = sut.admit(slow)!;
    const normal = work(true);
    sut.admit(normal);
    normal.arrive();
    turns.endTurn();

    // The slow client holds no place: a real request is admitted beside the one being worked on.
    expect(sut).toMatchObject({ inFlight: 1, arrivingSlowly: 1 });
    expect(sut.admit(work())).toBeDefined();
    expect(sut.admit(work())).toBeUndefined();

    // Its body in at last, it is work again; answered, it is gone.
    slow.arrive();
    expect(sut).toMatchObject({ inFlight: 3, arrivingSlowly: 0 });
    releaseSlow();
    expect(sut.inFlight).toBe(2);
  });

  it('sheds while another signal says the service is overloaded, under the bound too, and counts why', () => {
    let lagging = true;
    const sut = new LoadShedder({ maxInFlight: 10, signals: [{ name: 'eventLoopDelay', overloaded: () => lagging }] });
    expect(sut.admit(work())).toBeUndefined();
    lagging = false;
    expect(sut.admit(work())).toBeDefined();
    expect(sut.shedBy).toEqual({ inFlight: 0, eventLoopDelay: 1 });
  });
});
