/** One request in progress, as the shedder sees it. */
export interface ShedderWork {
  /** True while the client is still sending the request (its body has not all arrived). */
  readonly receiving: boolean;
  /** Calls back once the request has all arrived (for one that was still arriving when it stopped counting). */
  whenArrived(callback: () => void): void;
}

/** Another sign that the service is overloaded, besides the requests in progress (event-loop delay, say). */
export interface OverloadSignal {
  readonly name: string;
  overloaded(): boolean;
}

export interface LoadShedderOptions {
  /** Most requests in progress at once; 0: no bound. */
  maxInFlight: number;
  signals?: OverloadSignal[];
  /** Runs a callback on the event loop's next turn (setImmediate). */
  nextTurn?: (callback: () => void) => void;
}

interface Entry {
  work: ShedderWork;
  /** The turn of the event loop it was admitted in. */
  turn: number;
}

/**
 * Bounds the requests a service works on at once. Beyond the bound a new request is refused at once (the caller
 * answers 503 with `Retry-After`) rather than queued, so the ones accepted keep their latency and the refused ones
 * learn it in microseconds, not by a timeout. A request counts from its headers until it is answered, except while
 * its client is trickling its body in: slow clients cannot take the places of real ones (their connections are
 * capped, and cut at the request timeout, elsewhere). A request still arriving counts in the turn of the event loop
 * that admitted it, since a burst read in one turn is admitted request by request before any body is parsed; a
 * real request's body comes with its headers, so one still arriving a turn later is trickling, and counts again
 * once it has arrived.
 */
export class LoadShedder {
  /** Arrived, being worked on. */
  private readonly working = new Set<Entry>();
  /** Admitted with their body still arriving, in this turn of the event loop (as far as the last sweep saw): counted. */
  private readonly arriving = new Set<Entry>();
  /** Still arriving a turn later: not counted until they have arrived. */
  private readonly slow = new Set<Entry>();
  private turn = 0;
  private turnEnding = false;
  private shedCount = 0;
  private admittedCount = 0;
  private readonly shedByReason: Record<string, number>;

  constructor(private readonly options: LoadShedderOptions) {
    this.shedByReason = Object.fromEntries(['inFlight', ...(options.signals ?? []).map((s) => s.name)].map((name) => [name, 0]));
  }

  /** The bound (0: none). */
  get limit(): number {
    return this.options.maxInFlight;
  }

  /** Requests in progress now, as counted against the bound. */
  get inFlight(): number {
    this.sweep();
    return this.working.size + this.arriving.size;
  }

  /** Requests whose clients are still sending them a turn after they were admitted, not counted. */
  get arrivingSlowly(): number {
    this.sweep();
    return this.slow.size;
  }

  /** Requests refused since start. */
  get shed(): number {
    return this.shedCount;
  }

  /** Requests admitted since start. */
  get admitted(): number {
    return this.admittedCount;
  }

  /** Refusals since start by reason: `inFlight` (the bound) or a signal's name. */
  get shedBy(): Record<string, number> {
    return { ...this.shedByReason };
  }

  /** Admits `work` and returns the function to call once it is answered, or undefined: refuse it. */
  admit(work: ShedderWork): (() => void) | undefined {
    const { maxInFlight } = this.options;
    if (maxInFlight > 0 && this.inFlight >= maxInFlight) return this.refuse('inFlight');
    for (const signal of this.options.signals ?? []) {
      if (signal.overloaded()) return this.refuse(signal.name);
    }
    const entry: Entry = { work, turn: this.turn };
    if (work.receiving) {
      this.arriving.add(entry);
      this.endTurnSoon();
    } else {
      this.working.add(entry);
    }
    this.admittedCount++;
    return () => void (this.working.delete(entry) || this.arriving.delete(entry) || this.slow.delete(entry));
  }

  private refuse(reason: string): undefined {
    this.shedCount++;
    this.shedByReason[reason]++;
    return undefined;
  }

  private endTurnSoon(): void {
    if (this.turnEnding) return;
    this.turnEnding = true;
    (this.options.nextTurn ?? setImmediate)(() => {
      this.turn++;
      this.turnEnding = false;
    });
  }

  /** Moves requests that have arrived to `working`, and those still arriving from an earlier turn to `slow`. */
  private sweep(): void {
    for (const entry of this.arriving) {
      if (!entry.work.receiving) {
        this.arriving.delete(entry);
        this.working.add(entry);
      } else if (entry.turn < this.turn) {
        this.arriving.delete(entry);
        this.slow.add(entry);
        entry.work.whenArrived(() => this.slow.delete(entry) && this.working.add(entry));
      }
    }
  }
}
