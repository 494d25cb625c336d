import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { Delivery } from './protocol';

/** A rider's report kept on the device until the server has answered it (the outbox). */
export interface PendingReport {
  id: number;
  event: 'delivery:pickedUp' | 'delivery:delivered' | 'delivery:failed';
  payload: { deliveryId: string; at: string; reason?: string };
  restaurantName: string;
}

/** The jobs as the server last confirmed them, and when. */
export interface JobsSnapshot {
  jobs: Delivery[];
  confirmedAt: string;
}

/** Where the app is in the server's stream of events (see the rider protocol's Reconnecting). */
export interface StreamPosition {
  epoch: string;
  seq: number;
}

export interface Settings {
  /** Sound and vibration on a new offer. */
  alert: boolean;
}

interface RiderDb extends DBSchema {
  meta: { key: 'jobs'; value: JobsSnapshot } | { key: 'stream'; value: StreamPosition } | { key: 'settings'; value: Settings };
  outbox: { key: number; value: PendingReport };
}

/**
 * What the rider app keeps on the device in IndexedDB, so it works with no network: the jobs last confirmed by the
 * server (shown after a reload while offline), the outbox of reports in the order they were made, and the stream
 * position to resume from. A browser without IndexedDB (a private window in some) keeps them in memory only.
 */
export class OfflineStore {
  private constructor(private readonly db: IDBPDatabase<RiderDb> | undefined) {}

  private readonly memory = { meta: new Map<string, unknown>(), outbox: [] as PendingReport[], nextId: 1 };

  static async open(): Promise<OfflineStore> {
    try {
      const db = await openDB<RiderDb>('baecha-rider', 1, {
        upgrade(db) {
          db.createObjectStore('meta');
          db.createObjectStore('outbox', { keyPath: 'id', autoIncrement: true });
        },
      });
      return new OfflineStore(db);
    } catch {
      return new OfflineStore(undefined);
    }
  }

  async get<K extends RiderDb['meta']['key']>(key: K): Promise<Extract<RiderDb['meta'], { key: K }>['value'] | undefined> {
    if (!this.db) return this.memory.meta.get(key) as never;
    return (await this.db.get('meta', key)) as never;
  }

  async put<K extends RiderDb['meta']['key']>(key: K, value: Extract<RiderDb['meta'], { key: K }>['value']): Promise<void> {
    if (!this.db) return void this.memory.meta.set(key, value);
    await this.db.put('meta', value, key);
  }

  /** Adds a report at the end of the outbox; returns it with its id. */
  async enqueue(report: Omit<PendingReport, 'id'>): Promise<PendingReport> {
    if (!this.db) {
      const kept = { ...report, id: this.memory.nextId++ };
      this.memory.outbox.push(kept);
      return kept;
    }
    const id = await this.db.add('outbox', report as PendingReport);
    return { ...report, id };
  }

  /** The outbox, oldest first. */
  async pending(): Promise<PendingReport[]> {
    if (!this.db) return [...this.memory.outbox];
    return this.db.getAll('outbox');
  }

  async remove(id: number): Promise<void> {
    if (!this.db) return void (this.memory.outbox = this.memory.outbox.filter((report) => report.id !== id));
    await this.db.delete('outbox', id);
  }

  /** Forgets everything: another rider may sign in on this device. */
  async clear(): Promise<void> {
    this.memory.meta.clear();
    this.memory.outbox = [];
    if (!this.db) return;
    await Promise.all([this.db.clear('meta'), this.db.clear('outbox')]);
  }
}
