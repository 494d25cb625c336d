import { Inject, Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { HoldReason } from '#planner';
import { METRICS_REGISTRY } from '#platform';
import type { DispatchSettings } from '../agencies/dispatch-settings.service.js';
import { AgencyLeases } from '../leases/agency-leases.service.js';
import { RiderPresenceStore } from '../riders/rider-presence.store.js';

const HOLD_REASONS: readonly HoldReason[] = ['NOT_YET_DUE', 'RIDER_BUSY', 'RIDERS_TAKEN', 'NO_RIDER'];

/**
 * Dispatch as Prometheus sees it (docs/observability.md): riders online by state, offers made and how they ended,
 * the time from a delivery's arrival to its first offer, positions taken, the dispatcher's planning rounds and the
 * deliveries they hold by reason, and the agencies this instance owns. Every
 * label value is one of a few fixed words, each series made once; riders are counted when scraped, from memory.
 */
@Injectable()
export class DispatchMetrics {
  private readonly made: Record<DispatchSettings['offerPolicy'], Counter.Internal>;
  private readonly accepted: Counter;
  private readonly declined: Counter;
  private readonly expired: Counter;
  private readonly seen: Histogram;
  private readonly unseen: Counter;
  private readonly replayed: Histogram;
  private readonly rebuilt: Counter;
  private readonly orderToOffer: Histogram;
  private readonly rounds: { ok: Counter.Internal; failed: Counter.Internal };
  private readonly roundSeconds: Histogram;
  private readonly held: Gauge;
  /** Positions are the hottest message (thousands a second): a plain count here, read into the counter on scrape. */
  private positions = 0;

  constructor(@Inject(METRICS_REGISTRY) registry: Registry, presence: RiderPresenceStore, leases: AgencyLeases) {
    const registers = [registry];
    new Gauge({
      name: 'baecha_dispatch_agency_leases_owned',
      help: 'Agencies whose planning this instance owns now (docs/clustering.md); 0 while its leases are not renewed',
      registers,
      collect() {
        this.set(leases.status().owned);
      },
    });
    new Gauge({
      name: 'baecha_dispatch_instances_live',
      help: 'Dispatch instances alive as of the last lease renewal, this one included',
      registers,
      collect() {
        this.set(leases.status().instances);
      },
    });
    new Gauge({
      name: 'baecha_dispatch_riders',
      help: 'Riders connected now, by state: online (may be offered work), on_break, silent (no message within the heartbeat timeout)',
      labelNames: ['state'],
      registers,
      collect() {
        for (const [state, count] of Object.entries(presence.countByState())) this.set({ state }, count);
      },
    });
    const offersMade = new Counter({
      name: 'baecha_dispatch_offers_made_total',
      help: 'Offers made to riders, by the agency policy they were made under (a broadcast counts one per rider)',
      labelNames: ['policy'],
      registers,
    });
    this.made = { sequential: offersMade.labels('sequential'), broadcast: offersMade.labels('broadcast') };
    this.accepted = new Counter({ name: 'baecha_dispatch_offers_accepted_total', help: 'Offers accepted by their rider (the delivery assigned)', registers });
    this.declined = new Counter({ name: 'baecha_dispatch_offers_declined_total', help: 'Offers declined by their rider', registers });
    this.expired = new Counter({ name: 'baecha_dispatch_offers_expired_total', help: 'Offers closed unanswered when their time ran out', registers });
    this.seen = new Histogram({
      name: 'baecha_dispatch_offer_seen_seconds',
      help: "From an offer's commit to its rider's app acknowledging it (offer:seen); the count is the offers seen",
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30],
      registers,
    });
    this.unseen = new Counter({
      name: 'baecha_dispatch_offers_unseen_total',
      help: "Offers withdrawn and passed on because the rider's app never acknowledged them within OFFER_UNSEEN_WITHDRAW_SECONDS",
      registers,
    });
    this.replayed = new Histogram({
      name: 'baecha_dispatch_rider_replay_events',
      help: 'Events replayed to a rider app that reconnected with the number of the last event it saw',
      buckets: [0, 1, 2, 5, 10, 20, 50, 100],
      registers,
    });
    this.rebuilt = new Counter({
      name: 'baecha_dispatch_rider_rebuilds_total',
      help: 'Reconnecting rider apps told to rebuild from the snapshot (what they missed was no longer kept, or dispatch restarted)',
      registers,
    });
    this.orderToOffer = new Histogram({
      name: 'baecha_dispatch_order_to_offer_seconds',
      help: "From a delivery's creation (its order.created handled) to the commit of its first offer",
      buckets: [0.025, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 30, 60, 300],
      registers,
    });
    const positions = () => this.positions;
    new Counter({
      name: 'baecha_dispatch_rider_positions_total',
      help: 'Rider positions accepted (location messages taken as the rider’s position)',
      registers,
      collect() {
        this.reset();
        this.inc(positions());
      },
    });
    const rounds = new Counter({
      name: 'baecha_dispatch_planning_rounds_total',
      help: "The dispatcher's planning rounds (close expired offers, plan the waiting deliveries, make the offers due), by outcome",
      labelNames: ['outcome'],
      registers,
    });
    this.rounds = { ok: rounds.labels('ok'), failed: rounds.labels('failed') };
    this.roundSeconds = new Histogram({
      name: 'baecha_dispatch_planning_round_duration_seconds',
      help: "How long the dispatcher's planning rounds took (reading the snapshot, planning, making the offers)",
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.5, 1, 2.5, 5],
      registers,
    });
    this.held = new Gauge({
      name: 'baecha_dispatch_deliveries_held',
      help: "Waiting deliveries the last planning round held, by the planner's reason (NOT_YET_DUE, RIDER_BUSY, RIDERS_TAKEN, NO_RIDER)",
      labelNames: ['reason'],
      registers,
    });
    for (const reason of HOLD_REASONS) this.held.set({ reason }, 0);
  }

  /** How many deliveries the last planning round held, by reason. */
  deliveriesHeld(byReason: ReadonlyMap<HoldReason, number>): void {
    for (const reason of HOLD_REASONS) this.held.set({ reason }, byReason.get(reason) ?? 0);
  }

  /** An offer committed; `firstOfferOf` is the delivery's creation time when this is its first offer. */
  offerMade(policy: DispatchSettings['offerPolicy'], firstOfferOf?: Date): void {
    this.made[policy].inc();
    if (firstOfferOf) this.orderToOffer.observe(Math.max(0, Date.now() - firstOfferOf.getTime()) / 1000);
  }

  offerAccepted(): void {
    this.accepted.inc();
  }

  offerDeclined(): void {
    this.declined.inc();
  }

  offersExpired(count: number): void {
    if (count > 0) this.expired.inc(count);
  }

  /** A rider's app acknowledged an offer `afterMs` after it was made. */
  offerSeen(afterMs: number): void {
    this.seen.observe(Math.max(0, afterMs) / 1000);
  }

  offersUnseen(count: number): void {
    this.unseen.inc(count);
  }

  /** A rider app that resumes reconnected: how many events it was replayed, or that it must rebuild. */
  riderResumed(outcome: number | 'rebuild' | undefined): void {
    if (outcome === 'rebuild') this.rebuilt.inc();
    else if (outcome !== undefined) this.replayed.observe(outcome);
  }

  positionTaken(): void {
    this.positions++;
  }

  /** Runs one planning round, counting and timing it; its error still reaches the caller. */
  async planningRound<T>(work: () => Promise<T>): Promise<T> {
    const started = performance.now();
    try {
      const result = await work();
      this.rounds.ok.inc();
      return result;
    } catch (error) {
      this.rounds.failed.inc();
      throw error;
    } finally {
      this.roundSeconds.observe((performance.now() - started) / 1000);
    }
  }
}
