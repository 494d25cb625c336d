import { Injectable, Logger } from '@nestjs/common';
import { isUUID } from 'class-validator';
import { DataSource, type EntityManager } from 'typeorm';
import { GroupCommit, queryPrepared } from '#database';
import { about, DomainError } from '#platform';
import { DeliveriesRepository } from '../deliveries/deliveries.repository.js';
import type { DeliveryEntity } from '../deliveries/delivery.entity.js';
import { DeliveryEvents } from '../deliveries/delivery-events.js';
import { deliveryIds } from '../deliveries/delivery-log.js';
import { deliveryTiming } from '../deliveries/delivery.views.js';
import { DeliveryTransitions, SYSTEM } from '../deliveries/delivery-transitions.service.js';
import { AgencyLeases } from '../leases/agency-leases.service.js';
import { DispatchMetrics } from '../metrics/dispatch-metrics.js';
import { riderAtCapacity } from '../riders/rider-capacity.js';
import { RiderChannel, type OfferMessage } from '../riders/rider-channel.js';
import { DispatchWakeup } from './dispatch-wakeup.js';
import type { OfferEntity } from './offer.entity.js';
import { OffersRepository } from './offers.repository.js';

/** What an accept assigned, and the other offers of its delivery it took. */
interface Accepted {
  delivery: DeliveryEntity;
  taken: Array<{ id: string; riderId: string }>;
}

const BATCH = 100;

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
 * Settles riders' answers to offers (OfferingService makes them, as the planner decides): accept — one assigns,
 * whoever else held an offer of the delivery is told it is taken —, decline — never offered it again — and
 * expiry. Every step locks the delivery's row first (then the riders'), so concurrent accepts, declines,
 * expiries and new offers of one delivery run one after another; the offers' unique indexes and the capacity
 * trigger on deliveries are the database's own guard behind that.
 */
@Injectable()
export class OffersService {
  private readonly logger = new Logger('offers');

  constructor(
    private readonly dataSource: DataSource,
    private readonly offers: OffersRepository,
    private readonly deliveries: DeliveriesRepository,
    private readonly events: DeliveryEvents,
    private readonly channel: RiderChannel,
    private readonly wakeup: DispatchWakeup,
    private readonly transitions: DeliveryTransitions,
    private readonly metrics: DispatchMetrics,
    private readonly leases: AgencyLeases,
  ) {}

  /**
   * Closes offers nobody answered in time, of the agencies this instance owns, each under its agency's fence; a
   * delivery with no offer left open goes back to waiting.
   */
  async expireDue(): Promise<number> {
    let expired = 0;
    const found = await this.offers.dueToExpire(BATCH, this.leases.heldElsewhere());
    const owned = await this.leases.own(found.map(({ agencyId }) => agencyId));
    for (const { offer: due, agencyId } of found) {
      if (!owned.has(agencyId)) continue;
      const closed = await this.dataSource
        .transaction(async (manager) => {
          await queryPrepared(manager, this.leases.fence(new Map([[agencyId, owned.get(agencyId)!]])));
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
