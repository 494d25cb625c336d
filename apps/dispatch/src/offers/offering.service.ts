import { Inject, Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '#config';
import type { FeeQuote } from '#contracts';
import { GroupCommit, outboxInsertFromSql, pipelinedTransaction, type Statement } from '#database';
import { about } from '#platform';
import { planRound, type HoldReason, type OfferExplanation } from '#planner';
import type { DispatchSettings } from '../agencies/dispatch-settings.service.js';
import { DeliveriesRepository } from '../deliveries/deliveries.repository.js';
import { deliveryQuote } from '../deliveries/deliveries.service.js';
import type { DeliveryEntity } from '../deliveries/delivery.entity.js';
import { DeliveryEvents } from '../deliveries/delivery-events.js';
import { deliveryIds } from '../deliveries/delivery-log.js';
import { DeliveryTransitions, SYSTEM } from '../deliveries/delivery-transitions.service.js';
import { decisionsOf, type DispatchDecision } from '../deliveries/dispatch-decision.js';
import { AgencyLeases, leaseLost } from '../leases/agency-leases.service.js';
import { DispatchMetrics } from '../metrics/dispatch-metrics.js';
import { RiderChannel } from '../riders/rider-channel.js';
import { DispatchWakeup } from './dispatch-wakeup.js';
import type { OfferEntity } from './offer.entity.js';
import { OffersRepository, type RiderContext } from './offers.repository.js';
import { offerMessage } from './offers.service.js';
import { PlanningSnapshot, type PlanningArea, type Surroundings } from './planning.snapshot.js';

/** An offer the planner decided, with its id made in advance (so the statements after it can name it). */
interface Choice {
  delivery: DeliveryEntity;
  riderId: string;
  why: OfferExplanation;
  settings: DispatchSettings;
  offerId: string;
  /** The delivery was never offered before (so its offer ends its wait since creation). */
  first: boolean;
}

/** What a round decided: the offers to make and every delivery's decision, for the board. */
interface Planned {
  choices: Choice[];
  decisions: Map<string, DispatchDecision>;
  held: Map<HoldReason, number>;
}

/** An offer made, to send its rider. */
interface Made {
  offer: OfferEntity;
  delivery: DeliveryEntity;
  policy: DispatchSettings['offerPolicy'];
  first: boolean;
}

/** Waiting deliveries a round plans at most (those ready first). */
const WAITING_BATCH = 200;
/** Deliveries offered by one transaction: a round's offers are made this many deliveries at a time. */
const OFFER_BATCH = 100;
const FLAG_EVERY_MS = 1000;
/** A held delivery's decision is written again when its plan changes, or at least this often (its summary ages). */
const REWRITE_HELD_MS = 30_000;
/**
 * Riders a round asks the index for per waiting delivery: an area's riders are those of all its deliveries, and the
 * planner weighs each bundle's 24 cheapest of them, so fewer per delivery than a new delivery's DISPATCH_CANDIDATES
 * keep a round's read of riders small at 10,000 online.
 */
const ROUND_RIDERS_PER_DELIVERY = 10;
/** A delivery held for its food is planned again at least this often (see `scheduleHeld`). */
const REPLAN_HELD_MS = 5000;
/** A round longer than this is logged with where its time went. */
const SLOW_ROUND_MS = 1000;
/** Planning yields to the event loop after this much work, so a large round does not hold up riders' messages. */
const PLAN_SLICE_MS = 10;

/**
 * Offers deliveries to riders as the planner (libs/planner) decides: rounds over every waiting delivery (see
 * `offerWaiting`), and each new delivery as it is priced (`offerAtPrice`). The snapshot comes from
 * PlanningSnapshot; the planner's offers are made here — one rider at a time (`sequential`) or several at once
 * (`broadcast`, first accept wins), a bundle as one offer per delivery to the same rider — and every delivery's
 * latest decision (offered and why this rider, or held and why) is stored for the board. Every offer is checked
 * again under the locks of its delivery and rider (see `offering`); accept, decline and expiry are OffersService's.
 */
@Injectable()
export class OfferingService {
  private readonly logger = new Logger('offers');
  private flaggedAt = -Infinity;
  /** The last held decision written per delivery, so a round writes only what changed. */
  private readonly written = new Map<string, { key: string; at: number }>();
  /** Deliveries held for their food: when to plan each again (epoch ms), and the ready time it was planned with. */
  private readonly nextLook = new Map<string, { at: number; readyAt: number | undefined }>();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly dataSource: DataSource,
    private readonly offers: OffersRepository,
    private readonly deliveries: DeliveriesRepository,
    private readonly events: DeliveryEvents,
    private readonly channel: RiderChannel,
    private readonly wakeup: DispatchWakeup,
    private readonly transitions: DeliveryTransitions,
    private readonly snapshot: PlanningSnapshot,
    private readonly metrics: DispatchMetrics,
    private readonly leases: AgencyLeases,
  ) {}

  /**
   * One planning round: flags deliveries nobody took in time for manual dispatch, plans the waiting deliveries
   * (priced, or with their fee pending; those ready first; one held for its food only when `scheduleHeld` says),
   * makes the offers due now OFFER_BATCH deliveries per transaction, and stores why the others are held. Returns
   * how many deliveries got offers. Only the agencies this instance owns are planned, and each transaction is
   * fenced by their leases (AgencyLeases).
   */
  async offerWaiting(): Promise<number> {
    const started = performance.now();
    await this.flagLongWaits();
    const found = await this.deliveries.waitingForRider(WAITING_BATCH, this.config.dispatch.feePendingOfferAfterMs, this.leases.heldElsewhere());
    const owned = await this.leases.own(found.map((d) => d.agencyId));
    const waiting = found.filter((d) => owned.has(d.agencyId));
    const agencyOf = new Map(waiting.map((d) => [d.id, d.agencyId]));
    const now = Date.now();
    const due = waiting.filter((d) => {
      const look = this.nextLook.get(d.id);
      return !look || look.at <= now || look.readyAt !== d.readyAt?.getTime();
    });
    const areas = await this.snapshot.read(due, now / 1000, { ridersPerDelivery: ROUND_RIDERS_PER_DELIVERY });
    const read = performance.now();
    const planned = await this.plan(areas);
    const decided = performance.now();
    this.scheduleHeld(due, planned.decisions, now);
    // The deliveries left for a later round are still held for their food.
    planned.held.set('NOT_YET_DUE', (planned.held.get('NOT_YET_DUE') ?? 0) + waiting.length - due.length);
    this.metrics.deliveriesHeld(planned.held);
    const decisions = this.toWrite(planned.decisions);
    const byDelivery = new Map<string, Choice[]>();
    for (const choice of planned.choices) byDelivery.set(choice.delivery.id, [...(byDelivery.get(choice.delivery.id) ?? []), choice]);
    const offeredIds = [...byDelivery.keys()];
    const batches = [decisions.filter((d) => !byDelivery.has(d.id)).map((d) => d.id)];
    for (let start = 0; start < offeredIds.length; start += OFFER_BATCH) batches.push(offeredIds.slice(start, start + OFFER_BATCH));
    let offered = 0;
    for (const ids of batches) {
      const members = new Set(ids);
      const notes = decisions.filter((d) => members.has(d.id));
      try {
        const fence = this.leases.fence(new Map(ids.map((id) => agencyOf.get(id)!).map((agencyId) => [agencyId, owned.get(agencyId)!])));
        offered += await this.offerBatch(ids.flatMap((id) => byDelivery.get(id) ?? []), notes, fence);
      } catch (error) {
        // A batch that fails must not hold up the ones behind it; its deliveries are planned again next round (by
        // this instance, or by the one that took their agency over).
        const message = `could not offer or note ${ids.length} deliveries: ${(error as Error)?.message ?? String(error)}`;
        if (leaseLost(error)) {
          this.logger.warn(message);
          this.leases.lost();
        } else this.logger.error(message);
        for (const note of notes) this.written.delete(note.id);
      }
    }
    const took = performance.now() - started;
    if (took > SLOW_ROUND_MS) {
      this.logger.warn(
        `slow planning round: ${Math.round(took)} ms for ${due.length} of ${waiting.length} waiting deliveries in ${areas.length} areas with ` +
          `${areas.reduce((n, a) => n + a.input.riders.length, 0)} riders (snapshot ${Math.round(read - started)} ms, planning ${Math.round(decided - read)} ms, ` +
          `offers and decisions ${Math.round(performance.now() - decided)} ms)`,
      );
    }
    const still = new Set(waiting.map((d) => d.id));
    for (const id of this.written.keys()) if (!still.has(id) && !planned.decisions.has(id)) this.written.delete(id);
    for (const id of this.nextLook.keys()) if (!still.has(id)) this.nextLook.delete(id);
    return offered;
  }

  /**
   * Stores a new delivery's price and plans it at once, in one transaction: the offer the planner makes now
   * goes out with the price, without waiting for a round. Returns false, writing nothing, when the delivery no
   * longer simply waits for its price and a rider (offered meanwhile with its fee pending, cancelled, priced by an
   * earlier answer): the caller stores such a quote on its own. A delivery the planner holds waits for the rounds.
   * Quotes that arrive together (those of one fee.quote-batch, and those arriving while two such transactions
   * are out) are written together (GroupCommit).
   */
  async offerAtPrice(delivery: DeliveryEntity, quote: FeeQuote, surroundings?: Promise<Surroundings | undefined>): Promise<boolean> {
    // Another instance owns the agency: its rounds offer the delivery once the caller has stored the price.
    if (!this.leases.owns(delivery.agencyId) && !(await this.leases.own([delivery.agencyId])).has(delivery.agencyId)) return false;
    return this.quotes.submit({ delivery, quote, surroundings });
  }

  /**
   * Reads what planning the delivery will need (its riders nearby, their room and jobs) while its price is being
   * asked, so the offer follows the price without another wait for the database (`offerAtPrice`). It may be some
   * tens of milliseconds old by then; the offer's statement checks each rider's room again. Undefined when the
   * read failed: planning then reads for itself.
   */
  lookAhead(delivery: DeliveryEntity): Promise<Surroundings | undefined> {
    const nearby = this.snapshot.nearby(delivery.agencyId, { lng: delivery.pickupLng, lat: delivery.pickupLat });
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
    const owned = this.leases.ownedNow();
    const mine = items.filter(({ delivery }) => owned.has(delivery.agencyId));
    if (mine.length === 0) return items.map(() => false);
    try {
      const stored = await this.priceAndOfferOwned(mine, owned);
      return items.map(({ delivery }) => stored.has(delivery.id));
    } catch (error) {
      // The lease moved meanwhile: the price is stored by the caller, outside the fence, and the new owner offers it.
      if (leaseLost(error)) {
        this.leases.lost();
        return items.map(() => false);
      }
      throw error;
    }
  }

  /** Prices and offers deliveries of agencies this instance owns (`owned`, their epochs): returns the ids priced now. */
  private async priceAndOfferOwned(
    items: Array<{ delivery: DeliveryEntity; quote: FeeQuote; surroundings?: Promise<Surroundings | undefined> }>,
    owned: Map<string, number>,
  ): Promise<Set<string>> {
    // Each delivery as it will be once priced: what the offer shows and the restaurant's event says.
    const priced: DeliveryEntity[] = items.map(({ delivery, quote }) => ({ ...delivery, fee: deliveryQuote(quote) }));
    const read = await Promise.all(items.map((item) => item.surroundings));
    const surroundings = new Map(priced.flatMap((delivery, i) => (read[i] ? [[delivery.id, read[i]!] as const] : [])));
    // Never offered before: only a delivery that waits for its first price is priced here (and the offers'
    // unique key refuses a rider who had one, should an operator's hand have left a mark).
    const areas = await this.snapshot.read(priced, Date.now() / 1000, { surroundings, neverOffered: true });
    const planned = await this.plan(areas);
    const ids = priced.map((delivery) => delivery.id);
    const offering = this.offering(planned.choices);
    const agencies = new Set(priced.map((delivery) => delivery.agencyId));
    const [, , pricedRows, ...rest] = await pipelinedTransaction(this.dataSource, [
      this.leases.fence(new Map([...agencies].map((agencyId) => [agencyId, owned.get(agencyId)!]))),
      this.deliveries.lockManyStatement(ids),
      this.deliveries.priceWaitingStatement(
        priced.map((delivery) => ({ id: delivery.id, fee: delivery.fee! })),
        this.events.prepareAll(priced.map((delivery) => ({ delivery, status: 'quoted' }))),
        (select) => outboxInsertFromSql('dispatch', select),
      ),
      ...offering.statements,
      this.deliveries.decisionsStatement(this.toWrite(planned.decisions)),
    ]);
    const stored = new Set(pricedRows!.map((row) => row.id as string));
    if (stored.size > 0) this.events.flush();
    const made = offering.made(rest);
    this.tell(made);
    // An offer planned but not made (its rider filled up meanwhile): the next round plans it again, now.
    if (new Set(made.map(({ delivery }) => delivery.id)).size < new Set(planned.choices.map((c) => c.delivery.id)).size) this.wakeup.wake();
    return stored;
  }

  /**
   * Runs the planner on each area, riders given an offer in one area left out of the areas after it, yielding to
   * the event loop every PLAN_SLICE_MS.
   */
  private async plan(areas: PlanningArea[]): Promise<Planned> {
    const planned: Planned = { choices: [], decisions: new Map(), held: new Map() };
    const taken = new Set<string>();
    let slice = performance.now();
    for (const area of areas) {
      if (performance.now() - slice > PLAN_SLICE_MS) {
        await nextTurn();
        slice = performance.now();
      }
      const input = taken.size === 0 ? area.input : { ...area.input, riders: area.input.riders.filter((r) => !taken.has(r.id)) };
      const decided = planRound(input, this.snapshot.geometry);
      for (const [id, decision] of decisionsOf(decided)) planned.decisions.set(id, decision);
      for (const held of decided.held) planned.held.set(held.reason, (planned.held.get(held.reason) ?? 0) + 1);
      // A delivery no rider was offered before: its offer ends its wait since it arrived.
      const fresh = new Set(area.input.deliveries.filter((d) => !d.declinedBy?.length).map((d) => d.id));
      for (const offer of decided.offers) {
        for (const deliveryId of offer.deliveryIds) {
          for (const riderId of offer.riderIds) {
            taken.add(riderId);
            const delivery = area.deliveries.get(deliveryId)!;
            planned.choices.push({ delivery, riderId, why: offer.why, settings: area.settings, offerId: randomUUID(), first: fresh.has(deliveryId) });
          }
        }
      }
    }
    return planned;
  }

  /**
   * A delivery held for its food (NOT_YET_DUE) is planned again at the latest REPLAN_HELD_MS later, sooner if its
   * planned offer comes sooner (two rounds before), and at once if its ready time changes; every other waiting
   * delivery is planned every round. So a round's work follows the deliveries that may be offered soon.
   */
  private scheduleHeld(planned: DeliveryEntity[], decisions: Map<string, DispatchDecision>, now: number): void {
    const roundMs = this.config.dispatch.sweepIntervalMs;
    for (const d of planned) {
      const decision = decisions.get(d.id);
      if (decision?.reason !== 'NOT_YET_DUE') {
        this.nextLook.delete(d.id);
        continue;
      }
      const offerAt = decision.offerAt === null ? Infinity : Date.parse(decision.offerAt) - 2 * roundMs;
      this.nextLook.set(d.id, { at: Math.min(now + REPLAN_HELD_MS, offerAt), readyAt: d.readyAt?.getTime() });
    }
  }

  /** The decisions worth writing: every offer's, and a held one's when its plan changed or it was written long ago. */
  private toWrite(decisions: Map<string, DispatchDecision>): Array<{ id: string; decision: DispatchDecision }> {
    const now = Date.now();
    const out: Array<{ id: string; decision: DispatchDecision }> = [];
    for (const [id, decision] of decisions) {
      if (decision.outcome === 'offered') {
        this.written.delete(id);
        out.push({ id, decision });
        continue;
      }
      const key = `${decision.reason}|${decision.riderIds.join(',')}|${decision.bundleWith.join(',')}`;
      const last = this.written.get(id);
      if (last && last.key === key && now - last.at < REWRITE_HELD_MS) continue;
      this.written.set(id, { key, at: now });
      out.push({ id, decision });
    }
    return out;
  }

  /**
   * The manual-dispatch flag, at most every FLAG_EVERY_MS (or a quarter of the wait, if shorter): under load the
   * dispatcher plans many times a second, and a flag a fraction of a second late changes nothing.
   */
  private async flagLongWaits(): Promise<void> {
    const afterSeconds = this.config.dispatch.manualAfterSeconds;
    const now = Date.now();
    if (now - this.flaggedAt < Math.min(FLAG_EVERY_MS, afterSeconds * 250)) return;
    this.flaggedAt = now;
    const owned = this.leases.ownedNow();
    if (owned.size === 0) return;
    const flagged = await this.offers.flagForManualDispatch(afterSeconds, [...owned.keys()], this.leases.fence(owned));
    if (flagged > 0) this.logger.warn(`${flagged} deliveries waited ${afterSeconds} s without a rider: flagged for manual dispatch`);
  }

  /**
   * Makes the offers chosen and stores the decisions in one transaction that starts with their agencies' `fence`
   * (see `offering`), then tells the riders.
   */
  private async offerBatch(choices: Choice[], decisions: Array<{ id: string; decision: DispatchDecision }>, fence: Statement): Promise<number> {
    if (choices.length === 0) {
      if (decisions.length > 0) await pipelinedTransaction(this.dataSource, [fence, this.deliveries.decisionsStatement(decisions)]);
      return 0;
    }
    const offering = this.offering(choices);
    const [, , ...rows] = await pipelinedTransaction(this.dataSource, [
      fence,
      this.deliveries.lockManyStatement([...new Set(choices.map((choice) => choice.delivery.id))]),
      ...offering.statements,
      this.deliveries.decisionsStatement(decisions),
    ]);
    const made = offering.made(rows);
    this.tell(made);
    return new Set(made.map(({ delivery }) => delivery.id)).size;
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
        choices.map(({ delivery, riderId, why, settings, offerId }) => ({
          id: offerId,
          deliveryId: delivery.id,
          agencyId: delivery.agencyId,
          riderId,
          timeoutSeconds: settings.offerTimeoutSeconds,
          broadcast: settings.offerPolicy === 'broadcast',
          why,
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
      this.logger.log(
        about(deliveryIds(delivery), `delivery ${delivery.id} offered (${policy}${delivery.fee ? '' : ', fee pending'}) to rider ${offer.riderId}: ${offer.score?.summary ?? 'no reason kept'}`),
      );
    }
  }
}
