/** One request in progress, as the shedder sees it. */
export interface ShedderWork {
  /** True while the client is still sending the request (its body has not all arrived). */
  readonly receiving: boolean;
  /** Drops the request to make room for another: it is answered 408 and its connection closed. */
  evict(): void;
}

/** Another sign that the service is overloaded, besides the requests in progress (event-loop delay, say). */
export interface OverloadSignal {
  readonly name: string;
  overloaded(): boolean;
}

export interface LoadShedderOptions {
  /** Most requests in progress at once; 0: no bound. */
  maxInFlight: number;
  /** A request whose client is still sending it after this long may be dropped to make room. */
  slowClientMs: number;
  signals?: OverloadSignal[];
  now?: () => number;
}

interface Entry {
  work: ShedderWork;
  since: number;
}

/**
 * Bounds the requests a service works on at once. Beyond the bound a new request is refused at once (the caller
 * answers 503 with `Retry-After`) rather than queued, so the ones accepted keep their latency and the refused
 * ones learn it in microseconds, not by a timeout. A request counts from its headers; one whose client is still
 * trickling its body after `slowClientMs` holds a slot without being worked on, so when the bound is reached the
 * oldest such request is dropped for the newcomer instead of refusing it: slow clients cannot starve real ones.
 */
export class LoadShedder {
  /** In admission order, oldest first. */
  private readonly work = new Set<Entry>();
  private readonly now: () => number;
  private shedCount = 0;
  private admittedCount = 0;
  private evictedCount = 0;
  private readonly shedByReason: Record<string, number>;

  constructor(private readonly options: LoadShedderOptions) {
    this.now = options.now ?? (() => performance.now());
    this.shedByReason = Object.fromEntries(['inFlight', ...(options.signals ?? []).map((s) => s.name)].map((name) => [name, 0]));
  }

  /** The bound (0: none). */
  get limit(): number {
    return this.options.maxInFlight;
  }

  /** Requests in progress now. */
  get inFlight(): number {
    return this.work.size;
  }

  /** Requests refused since start. */
  get shed(): number {
    return this.shedCount;
  }

  /** Requests admitted since start. */
  get admitted(): number {
    return this.admittedCount;
  }

  /** Slow requests dropped to make room since start. */
  get evicted(): number {
    return this.evictedCount;
  }

  /** Refusals since start by reason: `inFlight` (the bound) or a signal's name. */
  get shedBy(): Record<string, number> {
    return { ...this.shedByReason };
  }

  /** Admits `work` and returns the function to call once it is answered, or undefined: refuse it. */
  admit(work: ShedderWork): (() => void) | undefined {
    const { maxInFlight } = this.options;
    if (maxInFlight > 0 && this.work.size >= maxInFlight && !this.dropSlowest()) return this.refuse('inFlight');
    for (const signal of this.options.signals ?? []) {
      if (signal.overloaded()) return this.refuse(signal.name);
    }
    const entry: Entry = { work, since: this.now() };
    this.work.add(entry);
    this.admittedCount++;
    return () => void this.work.delete(entry);
  }

  private refuse(reason: string): undefined {
    this.shedCount++;
    this.shedByReason[reason]++;
    return undefined;
  }

  /** Drops the oldest request still arriving after slowClientMs; false when there is none. */
  private dropSlowest(): boolean {
    const slowSince = this.now() - this.options.slowClientMs;
    for (const entry of this.work) {
      if (entry.since > slowSince) return false;
      if (!entry.work.receiving) continue;
      this.work.delete(entry);
      this.evictedCount++;
      entry.work.evict();
      return true;
    }
    return false;
  }
}
