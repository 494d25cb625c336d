import { AsyncResource } from 'node:async_hooks';

export interface GroupCommitOptions {
  /** Most items written by one statement. */
  maxBatch: number;
  /** Batches committing at once; more overlap the waits on the disk, fewer make bigger batches. */
  maxInFlight: number;
  /**
   * `turn`: items submitted in the same turn of the event loop (the messages one read from the network brought, say)
   * go together even when nothing is in flight, at the cost of a `setImmediate`. Default: a lone item goes at once.
   */
  gather?: 'turn';
}

interface Pending<T, R> {
  item: T;
  resolve(result: R): void;
  reject(error: unknown): void;
  /**
   * The async context the item was submitted in (its caller's log fields, say), kept when it waits in the queue; an
   * item written at once is written from its caller's own context and needs none (capturing one costs a little on
   * every quote of a busy service).
   */
  context?: AsyncResource;
}

/** Runs work in the async context an item was submitted in. */
function inContext<V>(pending: Pending<unknown, unknown>, work: () => V): V {
  return pending.context ? pending.context.runInAsyncScope(work) : work();
}

/**
 * Group commit for a hot write path: items that arrive while earlier writes are committing are written
 * together by one statement in one commit, so the database parses, plans, locks and flushes once per batch
 * instead of once per item. A lone item is written at once, so an idle service adds no delay.
 *
 * A batch is all-or-nothing. When it fails (most often one item's unique key), every item of it is written
 * again on its own through `writeOne`, so each caller gets exactly its own item's result or error.
 *
 * An item written alone is written in its caller's async context; a batch, which is several callers' work, in the
 * context the GroupCommit was made in, so no caller's context (its log fields) labels the others' items.
 */
export class GroupCommit<T, R> {
  private readonly queue: Array<Pending<T, R>> = [];
  private inFlight = 0;
  private readonly outsideCallers = AsyncResource.bind((work: () => Promise<void>) => work());
  private gathering = false;

  constructor(
    private readonly writeMany: (items: T[]) => Promise<R[]>,
    private readonly writeOne: (item: T) => Promise<R>,
    private readonly options: GroupCommitOptions,
  ) {}

  submit(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      const now = this.options.gather !== 'turn' && this.queue.length === 0 && this.inFlight < this.options.maxInFlight;
      // Written now, by `drain` below, still in the caller's context; otherwise the context waits with the item.
      this.queue.push({ item, resolve, reject, context: now ? undefined : new AsyncResource('GroupCommit') });
      if (this.options.gather !== 'turn') this.drain();
      else if (!this.gathering) {
        this.gathering = true;
        setImmediate(() => {
          this.gathering = false;
          this.drain();
        });
      }
    });
  }

  private drain(): void {
    while (this.inFlight < this.options.maxInFlight && this.queue.length > 0) {
      const batch = this.queue.splice(0, this.options.maxBatch);
      this.inFlight++;
      const write = () => this.write(batch);
      void (batch.length === 1 ? inContext(batch[0], write) : this.outsideCallers(write)).finally(() => {
        this.inFlight--;
        this.drain();
      });
    }
  }

  private async write(batch: Array<Pending<T, R>>): Promise<void> {
    if (batch.length === 1) {
      await this.writeOne(batch[0].item).then(batch[0].resolve, batch[0].reject);
      return;
    }
    let results: R[];
    try {
      results = await this.writeMany(batch.map((p) => p.item));
    } catch {
      await Promise.all(batch.map((p) => inContext(p, () => this.writeOne(p.item)).then(p.resolve, p.reject)));
      return;
    }
    batch.forEach((p, i) => p.resolve(results[i]));
  }
}
