import { Inject, Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { APP_CONFIG, type AppConfig } from '#config';
import type { Statement } from '#database';
import { Rounds } from '#platform';
import { AgencyLeasesRepository, type Beat, type HeldLease } from './agency-leases.repository.js';

/** The SQLSTATE `dispatch.hold_agency_leases` raises when the fence refuses a transaction. */
const LEASE_LOST = 'BL001';

/** Whether a transaction failed because this instance no longer held an agency's lease (see `fence`). */
export function leaseLost(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === LEASE_LOST;
}

/** What /health and the metrics show of the leases. */
export interface LeaseStatus {
  instance: string;
  /** Whether this instance may act as owner now: its last renewal is recent enough. */
  current: boolean;
  owned: number;
  instances: number;
  leases: HeldLease[];
}

/**
 * Which agencies this instance plans (docs/clustering.md). Every DISPATCH_LEASE_RENEW_MS it beats
 * (AgencyLeasesRepository.beat): renews its leases for DISPATCH_LEASE_SECONDS, takes free or expired ones up to its
 * share, and gives up what is beyond it. It acts as owner only while its last successful beat is younger than the
 * lease, measured on its own clock from before the beat was sent, so an instance cut off from the database stops
 * before its leases expire there and another takes them. Every write it makes as owner starts with `fence`, which
 * PostgreSQL checks against the lease row, so a paused owner that missed losing a lease cannot write.
 */
@Injectable()
export class AgencyLeases {
  readonly instance = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  private readonly logger = new Logger('leases');
  private readonly rounds: Rounds;
  private readonly leaseMs: number;
  private held = new Map<string, number>();
  private elsewhere = new Set<string>();
  /** Agencies a claim could not take (another live instance's share): left to it until the next beat. */
  private refused = new Set<string>();
  private instances = 1;
  /** performance.now() until which the leases held may be acted on. */
  private currentUntil = -Infinity;
  private readonly listeners: Array<() => void> = [];

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly leases: AgencyLeasesRepository,
  ) {
    this.leaseMs = config.dispatchLeases.seconds * 1000;
    this.rounds = new Rounds(
      () => this.beat(),
      config.dispatchLeases.renewMs,
      (error) => this.logger.warn(`could not renew agency leases (${this.held.size} held): ${(error as Error)?.message ?? String(error)}`),
    );
  }

  /** Beats once (so a lone instance owns every agency before its first round), then every DISPATCH_LEASE_RENEW_MS. */
  async start(): Promise<void> {
    this.logger.log(`instance ${this.instance}: agency leases last ${this.config.dispatchLeases.seconds} s, renewed every ${this.config.dispatchLeases.renewMs} ms`);
    await this.beat().catch((error: unknown) => this.logger.warn(`could not take agency leases at start: ${(error as Error)?.message ?? String(error)}`));
    this.rounds.start();
  }

  /** Stops renewing and gives the leases up, so another instance takes them at once rather than when they expire. */
  async stop(): Promise<void> {
    await this.rounds.stop();
    const held = this.held.size;
    this.drop();
    try {
      await this.leases.release(this.instance);
      if (held > 0) this.logger.log(`released the leases of ${held} agencies`);
    } catch (error) {
      this.logger.warn(`could not release agency leases; they expire in ${this.config.dispatchLeases.seconds} s: ${(error as Error)?.message ?? String(error)}`);
    }
  }

  /** A fenced write was refused: a lease moved before this instance heard of it. Beats now rather than at the next renewal. */
  lost(): void {
    this.rounds.wake();
  }

  /** Called after a beat took new agencies, so their waiting deliveries are planned now. */
  onTaken(listener: () => void): void {
    this.listeners.push(listener);
  }

  /** Whether this instance may act as the agency's owner now. */
  owns(agencyId: string): boolean {
    return this.current && this.held.has(agencyId);
  }

  /** Every agency this instance owns now, with its epoch. */
  ownedNow(): Map<string, number> {
    return this.current ? new Map(this.held) : new Map();
  }

  /** Agencies another instance holds, to leave out of this instance's queries. */
  heldElsewhere(): string[] {
    return [...this.elsewhere];
  }

  /** Whether another live instance owns the agency, as of the last beat. */
  isHeldElsewhere(agencyId: string): boolean {
    return this.elsewhere.has(agencyId);
  }

  /**
   * Of these agencies, those this instance owns, with their epochs. One it has not heard of (created since the last
   * beat) is claimed first, within its share, in one statement: a new agency's first delivery waits for no beat.
   */
  async own(agencyIds: Iterable<string>): Promise<Map<string, number>> {
    if (!this.current) return new Map();
    const ids = [...new Set(agencyIds)];
    const unknown = ids.filter((id) => !this.held.has(id) && !this.elsewhere.has(id) && !this.refused.has(id));
    if (unknown.length > 0) {
      const taken = await this.leases.claim(this.instance, this.config.dispatchLeases.seconds, unknown);
      for (const lease of taken) this.held.set(lease.agencyId, lease.epoch);
      for (const id of unknown) if (!this.held.has(id)) this.refused.add(id);
      this.logTaken(taken);
    }
    return new Map(ids.flatMap((id) => (this.held.has(id) ? [[id, this.held.get(id)!] as const] : [])));
  }

  /**
   * The statement to run first in every transaction that writes as these agencies' owner: PostgreSQL aborts the
   * transaction unless this instance still holds each lease at the epoch it took it (see AgencyLeasesRepository).
   */
  fence(agencies: Map<string, number> | Iterable<string>): Statement {
    const leases: HeldLease[] =
      agencies instanceof Map
        ? [...agencies].map(([agencyId, epoch]) => ({ agencyId, epoch }))
        : [...new Set(agencies)].map((agencyId) => ({ agencyId, epoch: this.held.get(agencyId) ?? 0 }));
    return this.leases.fenceStatement(this.instance, leases, this.leaseMs);
  }

  status(): LeaseStatus {
    const current = this.current;
    return {
      instance: this.instance,
      current,
      owned: current ? this.held.size : 0,
      instances: this.instances,
      leases: current ? [...this.held].map(([agencyId, epoch]) => ({ agencyId, epoch })) : [],
    };
  }

  private get current(): boolean {
    return performance.now() < this.currentUntil;
  }

  private async beat(): Promise<void> {
    const sent = performance.now();
    let beat: Beat;
    try {
      beat = await this.withinLease(this.leases.beat(this.instance, this.config.dispatchLeases.seconds));
    } catch (error) {
      if (this.held.size > 0 && !this.current) {
        this.logger.error(`agency leases not renewed within ${this.config.dispatchLeases.seconds} s: no longer acting for ${this.held.size} agencies`);
        this.drop();
      }
      throw error;
    }
    const before = this.held;
    this.held = new Map(beat.held.map((lease) => [lease.agencyId, lease.epoch]));
    this.elsewhere = new Set(beat.elsewhere);
    this.refused.clear();
    this.instances = beat.instances;
    // The database counts the lease from the beat's start, later than `sent`: this instance stops acting first.
    this.currentUntil = sent + this.leaseMs;
    const lost = [...before.keys()].filter((id) => !this.held.has(id) && !beat.released.includes(id));
    if (lost.length > 0) this.logger.warn(`lost the leases of ${lost.length} agencies (they had expired): ${lost.join(', ')}`);
    if (beat.released.length > 0) this.logger.log(`released ${beat.released.length} agencies for the ${beat.instances} live instances to share`);
    this.logTaken(beat.taken);
    if (beat.taken.length > 0) for (const listener of this.listeners) listener();
  }

  /**
   * A beat that has not answered within the lease is given up on (its connection may be cut off without an error,
   * as in a partition), so the next one can try on another connection once the database is reachable again.
   */
  private withinLease<T>(work: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer from the database within ${this.leaseMs} ms`)), this.leaseMs);
    });
    return Promise.race([work, late]).finally(() => clearTimeout(timer));
  }

  private logTaken(taken: Array<HeldLease & { previous: string | null }>): void {
    for (const lease of taken) {
      if (lease.previous && lease.previous !== this.instance) {
        this.logger.warn(`took over agency ${lease.agencyId} from ${lease.previous} (epoch ${lease.epoch})`);
      } else {
        this.logger.log(`took agency ${lease.agencyId} (epoch ${lease.epoch})`);
      }
    }
  }

  private drop(): void {
    this.held = new Map();
    this.currentUntil = -Infinity;
  }
}
