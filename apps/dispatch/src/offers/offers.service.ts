import { Inject, Injectable, Logger } from '@nestjs/common';
import { isUUID } from 'class-validator';
import { randomUUID } from 'node:crypto';
import { DataSource, type EntityManager } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '#config';
import type { FeeQuote, LngLat } from '#contracts';
import { GroupCommit, outboxInsertFromSql, pipelinedTransaction, queryPrepared, type Statement } from '#database';
import { about, DomainError } from '#platform';
import { DispatchSettingsService, type DispatchSettings } from '../agencies/dispatch-settings.service.js';
import { DeliveriesRepository } from '../deliveries/deliveries.repository.js';
import { deliveryQuote } from '../deliveries/deliveries.service.js';
import type { DeliveryEntity } from '../deliveries/delivery.entity.js';
import { DeliveryEvents } from '../deliveries/delivery-events.js';
import { deliveryIds } from '../deliveries/delivery-log.js';
import { deliveryTiming } from '../deliveries/delivery.views.js';
import { DeliveryTransitions, SYSTEM } from '../deliveries/delivery-transitions.service.js';
import { RIDER_INDEX, scoreCandidates, type RiderIndex, type ScoreBreakdown } from '#planner';
import { DispatchMetrics } from '../metrics/dispatch-metrics.js';
import { riderAtCapacity } from '../riders/rider-capacity.js';
import { RiderChannel, type OfferMessage } from '../riders/rider-channel.js';
import { RiderPresenceStore } from '../riders/rider-presence.store.js';
import { DispatchWakeup } from './dispatch-wakeup.js';
import type { OfferEntity } from './offer.entity.js';
import { OffersRepository, type RiderContext } from './offers.repository.js';

/** A rider chosen for a delivery, with the offer's id made in advance (so the statements after it can name it). */
interface Choice {
  delivery: DeliveryEntity;
  riderId: string;
  score: ScoreBreakdown;
  settings: DispatchSettings;
  offerId: string;
  /** The delivery was never offered before (so its offer ends its wait since creation). */
  first: boolean;
}

/** A delivery's riders nearby and what the database says of them (room, jobs, idle time): what choosing needs. */
export interface Surroundings {
  nearby: Array<{ riderId: string; position: LngLat }>;
  contexts: Map<string, RiderContext & { agencyId: string }>;
}

/** An offer made, to send its rider. */
interface Made {
  offer: OfferEntity;
  delivery: DeliveryEntity;
  policy: DispatchSettings['offerPolicy'];
  first: boolean;
}

/** What an accept assigned, and the other offers of its delivery it took. */
interface Accepted {
  delivery: DeliveryEntity;
  taken: Array<{ id: string; riderId: string }>;
}

const BATCH = 100;
const WAITING_BATCH = 500;
/** Deliveries offered by one transaction: a sweep's waiting deliveries are offered this many at a time. */
const OFFER_BATCH = 100;
const FLAG_EVERY_MS = 1000;

/**
 * What the rider is shown: where to collect, where to bring it, what it pays, and until when to answer. A
 * delivery offered before fee priced it has `feePending` and no fee yet; `delivery:fee` follows.
 */
export function offerMessage(offer: OfferEntity, delivery: DeliveryEntity): OfferMessage {
  return {
    offerId: offer.id,
    deliveryId: delivery.id,
    restaurantName: delivery.restaurantName,
    pickup: { lng: delivery.pickupLng, lat: delivery.pickupLat, address: delivery.pickupAddress },
    dropoff: {
      lng: delivery.dropoffLng,
      lat: delivery.dropoffLat,
      address: delivery.dropoffAddress,
      ...(delivery.dropoffDetail ? { detail: delivery.dropoffDetail } : {}),
    },
    fee: delivery.fee?.total ?? null,
    riderPay: delivery.fee?.riderPay ?? null,
    distanceMeters: delivery.fee?.distanceMeters ?? null,
    feePending: !delivery.fee,
    ...deliveryTiming(delivery),
    expiresAt: offer.expiresAt.toISOString(),
  };
}

/**
 * Offers deliveries to riders by the agency's policy — one rider at a time (`sequential`) or the best few at
 * once (`broadcast`, first accept wins) — and settles the answers. Candidates come from the rider index, are
 * ranked by matching/scoring.ts and never include a rider who was offered the delivery before. Every step locks
 * the delivery's row first (then the riders'), so concurrent accepts, declines, expiries and new offers of one
 * delivery run one after another; the offers' unique indexes and the capacity trigger on deliveries are the
 * database's own guard behind that.
 */
@Injectable()
export class OffersService {
  private readonly logger = new Logger('offers');
  private flaggedAt = -Infinity;
  /** Every candidate's score is described only when debug lines are written: building them costs each delivery. */
  private readonly debugging: boolean;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly dataSource: DataSource,
    private readonly offers: OffersRepository,
    private readonly deliveries: DeliveriesRepository,
    private readonly events: DeliveryEvents,
    private readonly presence: RiderPresenceStore,
    private readonly channel: RiderChannel,
    private readonly wakeup: DispatchWakeup,
    private readonly transitions: DeliveryTransitions,
    private readonly settings: DispatchSettingsService,
    @Inject(RIDER_INDEX) private readonly index: RiderIndex,
    private readonly metrics: DispatchMetrics,
  ) {
    this.debugging = config.logLevel === 'debug' || config.logLevel === 'trace';
  }

  /**
   * Flags deliveries nobody took in time for manual dispatch, then offers the waiting deliveries (priced, or with
   * their fee pending) by their agencies' policies, oldest first; returns how many deliveries got offers. They
   * are offered OFFER_BATCH at a time, each batch by one transaction: a delivery's offer is a handful of
   * statements whether it goes alone or with a hundred others, so under load a sweep costs the database about
   * as much as a single offer used to.
   */
  async offerWaiting(): Promise<number> {
    await this.flagLongWaits();
    const agencies = this.presence.agenciesWithLocatedRiders();
    if (agencies.length === 0) return 0;
    const waiting = await this.deliveries.waitingForRider(agencies, WAITING_BATCH, this.config.dispatch.feePendingOfferAfterMs);
    let offered = 0;
    for (let start = 0; start < waiting.length; start += OFFER_BATCH) {
      const batch = waiting.slice(start, start + OFFER_BATCH);
      try {
        offered += await this.offerBatch(batch);
      } catch (error) {
        // A batch that fails must not hold up the ones behind it; its deliveries are tried again next sweep.
        this.logger.error(`could not offer ${batch.length} deliveries: ${(error as Error)?.message ?? String(error)}`);
      }
    }
    return offered;
  }

  /**
   * Stores a new delivery's price and offers it to riders in one transaction, so the restaurant's side learns
   * the price and a rider gets the offer without waiting for a sweep. Returns false, writing nothing, when the
   * delivery no longer simply waits for its price and a rider (offered meanwhile with its fee pending,
   * cancelled, priced by an earlier answer): the caller stores such a quote on its own. A delivery priced with
   * no rider to offer it to waits for the sweep. Quotes that arrive together (those of one fee.quote-batch, and those
   * arriving while two such transactions are out) are written together (GroupCommit).
   */
  offerAtPrice(delivery: DeliveryEntity, quote: FeeQuote, surroundings?: Promise<Surroundings | undefined>): Promise<boolean> {
    return this.quotes.submit({ delivery, quote, surroundings });
  }

  /**
   * Reads what offering the delivery will need (its riders nearby, their room and jobs) while its price is being
   * asked, so the offer follows the price without another wait for the database (`offerAtPrice`). It may be some
   * tens of milliseconds old by then; the offer's statement checks each rider's room again. Undefined when the
   * read failed: choosing then reads for itself.
   */
  lookAhead(delivery: DeliveryEntity): Promise<Surroundings | undefined> {
    const nearby = this.nearby(delivery.agencyId, { lng: delivery.pickupLng, lat: delivery.pickupLat });
    return this.contextReads.submit(nearby.map((rider) => rider.riderId)).then(
      (contexts) => ({ nearby, contexts }),
      (error: unknown) => {
        this.logger.warn(about(deliveryIds(delivery), `could not read ahead for delivery ${delivery.id}: ${(error as Error)?.message ?? String(error)}`));
        return undefined;
      },
    );
  }

  /** The look-aheads of deliveries priced together (one fee.quote-batch) read their riders by one query. */
  private readonly contextReads = new GroupCommit<string[], Map<string, RiderContext & { agencyId: string }>>(
    async (riderIdLists) => {
      const read = await this.offers.riderContexts([...new Set(riderIdLists.flat())]);
      return riderIdLists.map(() => read);
    },
    (riderIds) => this.offers.riderContexts(riderIds),
    { maxBatch: OFFER_BATCH, maxInFlight: 4, gather: 'turn' },
  );

  private readonly quotes = new GroupCommit<{ delivery: DeliveryEntity; quote: FeeQuote; surroundings?: Promise<Surroundings | undefined> }, boolean>(
    (items) => this.priceAndOffer(items),
    async (item) => (await this.priceAndOffer([item]))[0]!,
    // The quotes of one fee.quote-batch arrive in one turn of the event loop: one transaction prices and offers them all.
    { maxBatch: OFFER_BATCH, maxInFlight: 2, gather: 'turn' },
  );

  private async priceAndOffer(items: Array<{ delivery: DeliveryEntity; quote: FeeQuote; surroundings?: Promise<Surroundings | undefined> }>): Promise<boolean[]> {
    // Each delivery as it will be once priced: what the offer shows and the restaurant's event says.
    const priced: DeliveryEntity[] = items.map(({ delivery, quote }) => ({ ...delivery, fee: deliveryQuote(quote) }));
    const read = await Promise.all(items.map((item) => item.surroundings));
    const surroundings = new Map(priced.flatMap((delivery, i) => (read[i] ? [[delivery.id, read[i]!] as const] : [])));
    // Never offered before: only a delivery that waits for its first price is priced here (and the offers'
    // unique key refuses a rider who had one, should an operator's hand have left a mark).
    const choices = await this.choose(priced, { surroundings, neverOffered: true });
    const ids = priced.map((delivery) => delivery.id);
    const offering = this.offering(choices);
    const [, pricedRows, ...offerRows] = await pipelinedTransaction(this.dataSource, [
      this.deliveries.lockManyStatement(ids),
      this.deliveries.priceWaitingStatement(
        priced.map((delivery) => ({ id: delivery.id, fee: delivery.fee! })),
        this.events.prepareAll(priced.map((delivery) => ({ delivery, status: 'quoted' }))),
        (select) => outboxInsertFromSql('dispatch', select),
      ),
      ...offering.statements,
    ]);
    const stored = new Set(pricedRows!.map((row) => row.id as string));
    if (stored.size > 0) this.events.flush();
    const made = offering.made(offerRows);
    this.tell(made);
    // Priced with no offer (no rider free nearby, or the one chosen filled up meanwhile): the sweep tries again.
    if (new Set(made.map(({ delivery }) => delivery.id)).size < stored.size) this.wakeup.wake();
    return ids.map((id) => stored.has(id));
  }

  /**
   * The manual-dispatch flag, at most every FLAG_EVERY_MS (or a quarter of the wait, if shorter): under load the
   * dispatcher sweeps many times a second, and a flag a fraction of a second late changes nothing.
   */
  private async flagLongWaits(): Promise<void> {
    const afterSeconds = this.config.dispatch.manualAfterSeconds;
    const now = Date.now();
    if (now - this.flaggedAt < Math.min(FLAG_EVERY_MS, afterSeconds * 250)) return;
    this.flaggedAt = now;
    const flagged = await this.offers.flagForManualDispatch(afterSeconds);
    if (flagged > 0) this.logger.warn(`${flagged} deliveries waited ${afterSeconds} s without a rider: flagged for manual dispatch`);
  }

  /**
   * Chooses riders for the waiting deliveries and offers them all in one transaction (see `offerStatements`),
   * then tells the riders.
   */
  private async offerBatch(waiting: DeliveryEntity[]): Promise<number> {
    const choices = await this.choose(waiting);
    if (choices.length === 0) return 0;
    const offering = this.offering(choices);
    const [, ...offerRows] = await pipelinedTransaction(this.dataSource, [
      this.deliveries.lockManyStatement([...new Set(choices.map((choice) => choice.delivery.id))]),
      ...offering.statements,
    ]);
    const made = offering.made(offerRows);
    this.tell(made);
    return new Set(made.map(({ delivery }) => delivery.id)).size;
  }

  /**
   * Chooses riders for each delivery from the rider index and what the database says of those riders (one
   * round trip). Deliveries are taken in the order given (oldest first), and each sees the offers chosen for the
   * ones before it: a rider's room counts them, and riders not yet chosen go first while one fits, so offers
   * spread over riders as they would one delivery at a time.
   */
  private async choose(
    deliveries: DeliveryEntity[],
    options: { surroundings?: Map<string, Surroundings>; neverOffered?: boolean } = {},
  ): Promise<Choice[]> {
    const ahead = options.surroundings ?? new Map<string, Surroundings>();
    const nearby = new Map(
      deliveries.map((delivery) => [delivery.id, ahead.get(delivery.id)?.nearby ?? this.nearby(delivery.agencyId, { lng: delivery.pickupLng, lat: delivery.pickupLat })]),
    );
    if ([...nearby.values()].every((riders) => riders.length === 0)) return [];
    // What was read ahead serves; the riders of deliveries without it are read now.
    const unread = [...new Set(deliveries.filter((d) => !ahead.has(d.id)).flatMap((d) => nearby.get(d.id)!.map((rider) => rider.riderId)))];
    const [read, offeredBefore, settings] = await Promise.all([
      unread.length > 0 ? this.offers.riderContexts(unread) : new Map<string, RiderContext & { agencyId: string }>(),
      options.neverOffered ? new Set<string>() : this.offers.offeredBefore(deliveries.map((d) => d.id)),
      this.settings.effective([...new Set(deliveries.map((d) => d.agencyId))]),
    ]);
    const offeredDeliveries = new Set([...offeredBefore].map((key) => key.slice(0, key.indexOf(':'))));
    // Deliveries priced together share one read of their riders (see `contextReads`): each read is taken once.
    const contexts = new Map<string, RiderContext & { agencyId: string }>();
    for (const known of new Set([...ahead.values()].map((surroundings) => surroundings.contexts))) for (const [id, context] of known) contexts.set(id, context);
    for (const [id, context] of read) contexts.set(id, context);
    const chosenFor = new Map<string, number>();
    const choices: Choice[] = [];
    for (const delivery of deliveries) {
      const agency = settings.get(delivery.agencyId)!;
      const candidates = nearby
        .get(delivery.id)!
        .flatMap(({ riderId, position }) => {
          const context = contexts.get(riderId);
          if (!context || context.agencyId !== delivery.agencyId || offeredBefore.has(`${delivery.id}:${riderId}`)) return [];
          return [{ ...context, offered: context.offered + (chosenFor.get(riderId) ?? 0), position }];
        });
      const pickup = { lng: delivery.pickupLng, lat: delivery.pickupLat };
      const { ranked, refused } = scoreCandidates(pickup, candidates, this.config.dispatch);
      if (this.debugging && (ranked.length > 0 || refused.length > 0)) {
        this.logger.debug(
          about(
            deliveryIds(delivery),
            `delivery ${delivery.id} candidates: ${[
              ...ranked.map((r) => `rider ${r.riderId} ${describeScore(r.score)}`),
              ...refused.map((r) => `rider ${r.riderId} left out, ${r.reason} (${r.detail})`),
            ].join('; ')}`,
          ),
        );
      }
      const size = agency.offerPolicy === 'broadcast' ? agency.broadcastSize : 1;
      const fresh = ranked.filter((r) => !chosenFor.has(r.riderId));
      for (const { riderId, score } of [...fresh, ...ranked.filter((r) => chosenFor.has(r.riderId))].slice(0, size)) {
        chosenFor.set(riderId, (chosenFor.get(riderId) ?? 0) + 1);
        choices.push({ delivery, riderId, score, settings: agency, offerId: randomUUID(), first: !offeredDeliveries.has(delivery.id) });
      }
    }
    return choices;
  }

  /**
   * The agency's riders who may be offered work now (online, not on break, not silent, located), nearest
   * first, within DISPATCH_MAX_PICKUP_METERS of the pickup, from the rider index: no map provider is asked.
   */
  private nearby(agencyId: string, pickup: LngLat): Array<{ riderId: string; position: LngLat }> {
    const { candidateLimit, maxPickupMeters } = this.config.dispatch;
    return this.index
      .nearest(agencyId, pickup, candidateLimit, maxPickupMeters)
      .filter((rider) => this.presence.isAvailable(rider.riderId))
      .map((rider) => ({ riderId: rider.riderId, position: rider.point }));
  }

  /**
   * How the chosen offers are made: the statements, to send in one round trip after the statement locking their
   * deliveries (and, for `offerAtPrice`, the one pricing them), and how to read the offers made from those
   * statements' rows. The choices were made from a snapshot, so everything is checked again under the locks, in
   * SQL: the riders are locked (in id order); each offer is made only if its delivery still waits for a rider
   * (and, if chosen at a price, has that price), its rider still has room and was never offered it; the
   * deliveries that got one move to `offered`.
   */
  private offering(choices: Choice[]): { statements: Statement[]; made(rows: Array<Array<Record<string, unknown>>>): Made[] } {
    if (choices.length === 0) return { statements: [], made: () => [] };
    const moves = [...new Set(choices.map((choice) => choice.delivery.id))].map((id) => ({ id, from: 'pending' as const }));
    const offerIds = choices.map((choice) => choice.offerId);
    const statements = [
      this.offers.lockRidersStatement([...new Set(choices.map((choice) => choice.riderId))].sort()),
      this.offers.insertStatement(
        choices.map(({ delivery, riderId, score, settings, offerId }) => ({
          id: offerId,
          deliveryId: delivery.id,
          agencyId: delivery.agencyId,
          riderId,
          timeoutSeconds: settings.offerTimeoutSeconds,
          broadcast: settings.offerPolicy === 'broadcast',
          score,
          quoteId: delivery.fee?.quoteId ?? null,
        })),
      ),
      this.transitions.applyEachStatement(
        moves,
        'offered',
        SYSTEM,
        // A delivery offered before it was priced: since when its fee is pending (kept from an earlier offer).
        { feePendingSince: () => 'CASE WHEN fee IS NULL THEN coalesce(fee_pending_since, now()) ELSE fee_pending_since END' },
        (params) => {
          params.push(offerIds);
          return `EXISTS (SELECT 1 FROM dispatch.offers o WHERE o.delivery_id = d.id AND o.id = ANY($${params.length}::uuid[]))`;
        },
      ),
    ];
    const policies = new Map(choices.map((choice) => [choice.delivery.id, choice.settings.offerPolicy]));
    const first = new Set(choices.filter((choice) => choice.first).map((choice) => choice.delivery.id));
    return {
      statements,
      made: ([, offerRows, movedRows]) => {
        const deliveries = new Map(this.transitions.movedBy(movedRows!, moves).map((delivery) => [delivery.id, delivery]));
        return this.offers
          .toOffers(offerRows!)
          .filter((offer) => deliveries.has(offer.deliveryId))
          .map((offer) => ({ offer, delivery: deliveries.get(offer.deliveryId)!, policy: policies.get(offer.deliveryId)!, first: first.has(offer.deliveryId) }));
      },
    };
  }

  /** Sends the riders their offers. */
  private tell(made: Made[]): void {
    const waited = new Set<string>();
    for (const { offer, delivery, policy, first } of made) {
      this.channel.send(offer.riderId, 'offer', offerMessage(offer, delivery));
      // A broadcast's offers of one delivery end one wait.
      const endsWait = first && !waited.has(delivery.id);
      if (endsWait) waited.add(delivery.id);
      this.metrics.offerMade(policy, endsWait ? delivery.createdAt : undefined);
      this.logger.log(about(deliveryIds(delivery), `delivery ${delivery.id} offered (${policy}${delivery.fee ? '' : ', fee pending'}) to rider ${offer.riderId}: ${describeScore(offer.score)}`));
    }
  }

  /** Closes offers nobody answered in time; a delivery with no offer left open goes back to waiting. */
  async expireDue(): Promise<number> {
    let expired = 0;
    for (const due of await this.offers.dueToExpire(BATCH)) {
      const closed = await this.dataSource
        .transaction(async (manager) => {
          const delivery = await this.deliveries.lock(manager, due.deliveryId);
          if (!delivery || !(await this.offers.expire(manager, due.id))) return null;
          await this.reopenIfNoneOpen(manager, delivery, { ...SYSTEM, reason: 'offer expired' });
          return delivery;
        })
        .catch((error: unknown) => {
          this.logger.error(about({ deliveryId: due.deliveryId }, `could not expire offer ${due.id}: ${(error as Error)?.message ?? String(error)}`));
          return null;
        });
      if (!closed) continue;
      expired++;
      this.channel.send(due.riderId, 'offer:expired', { offerId: due.id });
      this.logger.log(about(deliveryIds(closed), `offer ${due.id} of delivery ${due.deliveryId} expired unanswered by rider ${due.riderId}`));
    }
    this.metrics.offersExpired(expired);
    return expired;
  }

  /**
   * The rider takes the job. However many accepts arrive at once (from several devices, or from every rider of
   * a broadcast), one assigns the delivery and the others are refused with OFFER_TAKEN; their holders are told
   * with `offer:taken`. A rider is never assigned beyond its capacity: the database checks it as the delivery
   * is assigned. Accepts that arrive together are written together (see GroupCommit); one that does not simply
   * assign its delivery, or a batch that fails, is answered one at a time by `acceptOne`.
   */
  async accept(riderId: string, offerId: string): Promise<DeliveryEntity> {
    const accepted = isUUID(offerId) ? await this.accepts.submit({ riderId, offerId: offerId.toLowerCase() }).catch(() => null) : null;
    if (!accepted) return this.acceptOne(riderId, offerId);
    this.afterAccept(riderId, accepted);
    return accepted.delivery;
  }

  private readonly accepts = new GroupCommit<{ riderId: string; offerId: string }, Accepted | null>(
    (items) => this.acceptMany(items),
    async (item) => (await this.acceptMany([item]))[0]!,
    { maxBatch: 64, maxInFlight: 2 },
  );

  /**
   * Accepts in one transaction: the offers' deliveries are locked in id order, the open offers accepted (the
   * first accept of each delivery in the batch only) and their deliveries' other offers taken, the deliveries
   * assigned and logged, and their events written. Returns for each accept what it assigned, or null where it
   * assigned nothing (an offer not found, closed, expired, or a delivery another accept of the batch took).
   */
  private async acceptMany(items: Array<{ riderId: string; offerId: string }>): Promise<Array<Accepted | null>> {
    const done = await this.dataSource.transaction(async (manager) => {
      const byOffer = await this.deliveries.lockByOffers(manager, items);
      const claimed = new Map<string, { offerId: string; riderId: string; riderName: string; delivery: DeliveryEntity }>();
      for (const { offerId } of items) {
        const locked = byOffer.get(offerId);
        if (!locked || claimed.has(locked.delivery.id) || locked.delivery.status !== 'offered') continue;
        claimed.set(locked.delivery.id, { offerId, ...locked });
      }
      const { accepted, taken } = await this.offers.acceptMany(manager, [...claimed.values()].map((c) => c.offerId));
      const winners = [...claimed.values()].filter((c) => accepted.has(c.offerId));
      // The capacity trigger locks each rider as its delivery is assigned, in whatever order the update takes them;
      // locked here first, in id order as offering locks them, two transactions never wait for each other's riders.
      await queryPrepared(manager, this.offers.lockRidersStatement([...new Set(winners.map((w) => w.riderId))].sort()));
      // Each delivery assigned to the rider who accepted it, that rider as actor; the capacity trigger checks each.
      const assigned = await this.transitions.applyEach(
        manager,
        winners.map(({ delivery, riderId }) => ({ id: delivery.id, from: delivery.status, riderId, actorId: riderId })),
        'assigned',
        { type: 'rider', id: null },
        { manualDispatchSince: null },
      );
      if (assigned.length !== winners.length) throw new Error('accepted offers whose deliveries could not be assigned');
      const names = new Map(winners.map((w) => [w.delivery.id, { id: w.riderId, name: w.riderName }]));
      await this.events.recordAll(manager, assigned.map((delivery) => ({ delivery, status: 'assigned' as const, rider: names.get(delivery.id)! })));
      return new Map(
        winners.map((w, i) => [w.offerId, { delivery: assigned[i]!, taken: taken.filter((t) => t.deliveryId === w.delivery.id) }]),
      );
    });
    return items.map((item) => done.get(item.offerId) ?? null);
  }

  /** One accept, with its offer's delivery locked: any refusal is explained (not found, expired, taken, at capacity). */
  private async acceptOne(riderId: string, offerId: string): Promise<DeliveryEntity> {
    try {
      const accepted = await this.dataSource.transaction(async (manager) => {
        const { delivery, offer, riderName } = await this.lockOffer(manager, riderId, offerId);
        const closed = await this.offers.acceptMany(manager, [offer.id]);
        if (!closed.accepted.has(offer.id)) {
          const current = (await this.offers.current(manager, offer.id))!;
          this.assertOpen(current.offer, current.live);
          // Under the delivery's lock an open offer is accepted; if it ever were not, assigning twice would be worse.
          throw new DomainError('OFFER_TAKEN', `offer ${offer.id} is no longer open`);
        }
        // The rider's capacity is checked by the database as the delivery is assigned (RIDER_AT_CAPACITY below).
        const assigned = await this.transitions.apply(manager, delivery, 'assigned', { type: 'rider', id: riderId }, { riderId, manualDispatchSince: null });
        await this.events.record(manager, assigned, 'assigned', { id: riderId, name: riderName });
        return { delivery: assigned, taken: closed.taken };
      });
      this.afterAccept(riderId, accepted);
      return accepted.delivery;
    } catch (error) {
      const full = riderAtCapacity(error);
      if (full) throw full;
      // An accept that came too late: the sweep has not closed the offer yet, so do it now.
      if (error instanceof DomainError && error.code === 'OFFER_EXPIRED') this.wakeup.wake();
      throw error;
    }
  }

  /** Once an accept committed: its events leave, and the riders whose offers were taken are told. */
  private afterAccept(riderId: string, { delivery, taken }: Accepted): void {
    this.events.flush();
    for (const other of taken) this.channel.send(other.riderId, 'offer:taken', { offerId: other.id });
    this.metrics.offerAccepted();
    this.logger.log(about(deliveryIds(delivery), `delivery ${delivery.id} assigned to rider ${riderId}${taken.length > 0 ? `; ${taken.length} other offers taken` : ''}`));
  }

  /**
   * The rider passes, and is never offered the delivery again. Sequentially the delivery goes to the next
   * rider; in a broadcast only this rider's offer closes, and the delivery waits again once none is open.
   */
  async decline(riderId: string, offerId: string): Promise<void> {
    const delivery = await this.dataSource.transaction(async (manager) => {
      const { delivery, offer } = await this.lockOffer(manager, riderId, offerId);
      const current = (await this.offers.current(manager, offer.id))!;
      // Declining a pending offer whose time just ran out is still a clear answer: take it.
      this.assertOpen(current.offer, current.offer.status === 'pending');
      if (!(await this.offers.close(manager, offer.id, 'declined'))) throw new DomainError('OFFER_CLOSED', `offer ${offer.id} is no longer open`);
      await this.reopenIfNoneOpen(manager, delivery, { type: 'rider', id: riderId, reason: 'offer declined' });
      return delivery;
    });
    this.metrics.offerDeclined();
    this.logger.log(about(deliveryIds(delivery), `offer ${offerId} of delivery ${delivery.id} declined by rider ${riderId}`));
    this.wakeup.wake();
  }

  private async reopenIfNoneOpen(manager: EntityManager, delivery: DeliveryEntity, actor: Parameters<DeliveryTransitions['apply']>[3]): Promise<void> {
    if (delivery.status !== 'offered') return;
    if ((await this.offers.pendingOf(manager, delivery.id)).length > 0) return;
    await this.transitions.apply(manager, delivery, 'pending', actor);
  }

  /** The rider's offers still waiting for an answer, to send again when it reconnects. */
  async liveOffersFor(riderId: string): Promise<OfferMessage[]> {
    const offers = await this.offers.livePendingFor(riderId);
    const deliveries = new Map((await this.deliveries.findByIds(offers.map((o) => o.deliveryId))).map((d) => [d.id, d]));
    return offers.filter((offer) => deliveries.has(offer.deliveryId)).map((offer) => offerMessage(offer, deliveries.get(offer.deliveryId)!));
  }

  /**
   * Finds the rider's offer and locks its delivery, in one statement: from here on nothing else changes either.
   * Also names the rider, for the restaurant's event.
   */
  private async lockOffer(manager: EntityManager, riderId: string, offerId: string) {
    // The database answers ids in lower case, whatever case the rider sent.
    const id = offerId.toLowerCase();
    const locked = isUUID(id) ? (await this.deliveries.lockByOffers(manager, [{ offerId: id, riderId }])).get(id) : undefined;
    if (!locked) throw new DomainError('OFFER_NOT_FOUND', `no offer ${offerId} for this rider`);
    return { offer: { id }, delivery: locked.delivery, riderName: locked.riderName };
  }

  private assertOpen(offer: OfferEntity, live: boolean): void {
    switch (offer.status) {
      case 'pending':
        if (live) return;
        throw new DomainError('OFFER_EXPIRED', `offer ${offer.id} expired at ${offer.expiresAt.toISOString()}`);
      case 'expired':
        throw new DomainError('OFFER_EXPIRED', `offer ${offer.id} expired at ${offer.expiresAt.toISOString()}`);
      case 'accepted':
        // Most often the same rider's second device, or a retry whose first answer was lost.
        throw new DomainError('OFFER_TAKEN', `offer ${offer.id} was already accepted by you`, { deliveryId: offer.deliveryId, assignedToYou: true });
      case 'taken':
        throw new DomainError('OFFER_TAKEN', `the delivery of offer ${offer.id} went to another rider`, {
          deliveryId: offer.deliveryId,
          assignedToYou: false,
        });
      case 'declined':
        throw new DomainError('OFFER_CLOSED', `offer ${offer.id} was declined`);
      case 'withdrawn':
        throw new DomainError('OFFER_CLOSED', `offer ${offer.id} was withdrawn: the delivery was cancelled`);
    }
  }
}

function describeScore(score: ScoreBreakdown | null): string {
  if (!score) return 'unscored';
  const stack = score.stack ? `, stacked ${score.stack.nearMeters} m from a job, first drop-off +${score.stack.delaySeconds} s` : '';
  return (
    `score ${score.total} (distance ${score.distance} at ${score.distanceMeters} m, load ${score.load} with ${score.active}/${score.capacity}, ` +
    `stacking ${score.stacking}, fairness ${score.fairness}${score.idleSeconds === null ? ' never assigned' : ` idle ${score.idleSeconds} s`}${stack})`
  );
}
