import { Inject, Injectable, Logger } from '@nestjs/common';
import { isUUID } from 'class-validator';
import { randomUUID } from 'node:crypto';
import { DataSource, type EntityManager } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '#config';
import type { LngLat } from '#contracts';
import { DomainError } from '#platform';
import { DispatchSettingsService, type DispatchSettings } from '../agencies/dispatch-settings.service.js';
import { DeliveriesRepository, NOW } from '../deliveries/deliveries.repository.js';
import type { DeliveryEntity } from '../deliveries/delivery.entity.js';
import { DeliveryEvents } from '../deliveries/delivery-events.js';
import { DeliveryTransitions, SYSTEM } from '../deliveries/delivery-transitions.service.js';
import { RIDER_INDEX, type RiderIndex } from '../matching/rider-index.js';
import { scoreCandidates, type ScoreBreakdown } from '../matching/scoring.js';
import { RiderChannel, type OfferMessage } from '../riders/rider-channel.js';
import { RiderPresenceStore } from '../riders/rider-presence.store.js';
import { DispatchWakeup } from './dispatch-wakeup.js';
import type { OfferEntity } from './offer.entity.js';
import { capacityRefusal, OffersRepository } from './offers.repository.js';

const BATCH = 100;
const WAITING_BATCH = 500;
/** Deliveries offered at once in a sweep; each holds one pooled connection (10 by default) while it offers. */
const OFFER_CONCURRENCY = 4;
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
  ) {}

  /**
   * Flags deliveries nobody took in time for manual dispatch, then offers each waiting delivery (priced, or
   * with its fee pending) by its agency's policy; returns how many deliveries got offers. Up to
   * OFFER_CONCURRENCY deliveries are offered at once: each offer waits on the database for most of its time, so
   * one after another dispatch offers only as many a second as round trips allow. Riders offered a delivery in
   * this sweep are passed over for the next ones while another rider fits, so concurrent offers spread over
   * riders as sequential ones did (each saw the offers before it); capacity is still checked under the rider's
   * lock and by the database.
   */
  async offerWaiting(): Promise<number> {
    await this.flagLongWaits();
    const agencies = this.presence.agenciesWithLocatedRiders();
    if (agencies.length === 0) return 0;
    const waiting = await this.deliveries.waitingForRider(agencies, WAITING_BATCH, this.config.dispatch.feePendingOfferAfterMs);
    if (waiting.length === 0) return 0;
    const settings = await this.settings.effective([...new Set(waiting.map((d) => d.agencyId))]);
    const reserved = new Set<string>();
    let offered = 0;
    let next = 0;
    const worker = async () => {
      while (next < waiting.length) {
        const delivery = waiting[next++]!;
        try {
          if (await this.offer(delivery, settings.get(delivery.agencyId)!, reserved)) offered++;
        } catch (error) {
          // One delivery that fails must not hold up the ones behind it; it is tried again next sweep.
          this.logger.error(`could not offer delivery ${delivery.id}: ${(error as Error)?.message ?? String(error)}`);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(OFFER_CONCURRENCY, waiting.length) }, worker));
    return offered;
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

  private async offer(delivery: DeliveryEntity, settings: DispatchSettings, reserved: Set<string>): Promise<boolean> {
    const pickup = { lng: delivery.pickupLng, lat: delivery.pickupLat };
    const nearby = this.nearby(delivery.agencyId, pickup);
    if (nearby.length === 0) return false;
    const contexts = await this.offers.candidateContexts(
      delivery.agencyId,
      delivery.id,
      nearby.map((rider) => rider.riderId),
    );
    const candidates = nearby.filter((rider) => contexts.has(rider.riderId)).map((rider) => ({ ...contexts.get(rider.riderId)!, position: rider.position }));
    const { ranked, refused } = scoreCandidates(pickup, candidates, this.config.dispatch);
    if ((ranked.length > 0 || refused.length > 0)) {
      this.logger.debug(
        `delivery ${delivery.id} candidates: ${[
          ...ranked.map((r) => `rider ${r.riderId} ${describeScore(r.score)}`),
          ...refused.map((r) => `rider ${r.riderId} left out, ${r.reason} (${r.detail})`),
        ].join('; ')}`,
      );
    }
    const size = settings.offerPolicy === 'broadcast' ? settings.broadcastSize : 1;
    // Riders not yet offered anything this sweep first, each group in rank order.
    const chosen = [...ranked.filter((r) => !reserved.has(r.riderId)), ...ranked.filter((r) => reserved.has(r.riderId))].slice(0, size);
    if (chosen.length === 0) return false;
    for (const { riderId } of chosen) reserved.add(riderId);
    const made = await this.dataSource.transaction((manager) => this.makeOffers(manager, delivery.id, chosen, settings));
    if (!made) return false;
    for (const offer of made.offers) {
      this.channel.send(offer.riderId, 'offer', offerMessage(offer, made.delivery));
      this.logger.log(
        `delivery ${delivery.id} offered (${settings.offerPolicy}${made.delivery.fee ? '' : ', fee pending'}) to rider ${offer.riderId}: ${describeScore(offer.score)}`,
      );
    }
    return true;
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

  /** Re-checks everything under the locks, since the choice was made from a snapshot. Riders are locked in id order. */
  private async makeOffers(
    manager: EntityManager,
    deliveryId: string,
    chosen: Array<{ riderId: string; score: ScoreBreakdown }>,
    settings: DispatchSettings,
  ): Promise<{ offers: OfferEntity[]; delivery: DeliveryEntity } | undefined> {
    const delivery = await this.deliveries.lock(manager, deliveryId);
    // Unpriced is fine unless fee refused to price it: that waits for the agency to fix its tariff.
    if (!delivery || delivery.status !== 'pending' || (!delivery.fee && delivery.pricingProblem)) return undefined;
    const riders = [...chosen].sort((a, b) => (a.riderId < b.riderId ? -1 : 1));
    await this.offers.lockRiders(manager, riders.map((r) => r.riderId));
    const made = await this.offers.insertFor(manager, {
      deliveryId,
      agencyId: delivery.agencyId,
      timeoutSeconds: settings.offerTimeoutSeconds,
      broadcast: settings.offerPolicy === 'broadcast',
      riders,
    });
    if (made.length === 0) return undefined;
    const offered = await this.transitions.apply(manager, delivery, 'offered', SYSTEM, !delivery.fee && !delivery.feePendingSince ? { feePendingSince: NOW } : {});
    return { offers: made, delivery: offered };
  }

  /** Closes offers nobody answered in time; a delivery with no offer left open goes back to waiting. */
  async expireDue(): Promise<number> {
    let expired = 0;
    for (const due of await this.offers.dueToExpire(BATCH)) {
      const closed = await this.dataSource
        .transaction(async (manager) => {
          const delivery = await this.deliveries.lock(manager, due.deliveryId);
          if (!delivery || !(await this.offers.expire(manager, due.id))) return false;
          await this.reopenIfNoneOpen(manager, delivery, { ...SYSTEM, reason: 'offer expired' });
          return true;
        })
        .catch((error: unknown) => {
          this.logger.error(`could not expire offer ${due.id}: ${(error as Error)?.message ?? String(error)}`);
          return false;
        });
      if (!closed) continue;
      expired++;
      this.channel.send(due.riderId, 'offer:expired', { offerId: due.id });
      this.logger.log(`offer ${due.id} of delivery ${due.deliveryId} expired unanswered by rider ${due.riderId}`);
    }
    return expired;
  }

  /**
   * The rider takes the job. However many accepts arrive at once (from several devices, or from every rider of
   * a broadcast), one assigns the delivery and the others are refused with OFFER_TAKEN; their holders are told
   * with `offer:taken`. A rider is never assigned beyond its capacity: checked here, and by the database.
   */
  async accept(riderId: string, offerId: string): Promise<DeliveryEntity> {
    try {
      const { delivery, taken } = await this.dataSource.transaction(async (manager) => {
        const { delivery, offer, riderName } = await this.lockOffer(manager, riderId, offerId);
        const closed = await this.offers.accept(manager, offer.id, delivery.id);
        if (!closed.accepted) {
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
      this.events.flush();
      for (const other of taken) this.channel.send(other.riderId, 'offer:taken', { offerId: other.id });
      this.logger.log(`delivery ${delivery.id} assigned to rider ${riderId}${taken.length > 0 ? `; ${taken.length} other offers taken` : ''}`);
      return delivery;
    } catch (error) {
      const refusal = capacityRefusal(error);
      if (refusal) throw atCapacity(refusal.active, refusal.capacity);
      // An accept that came too late: the sweep has not closed the offer yet, so do it now.
      if (error instanceof DomainError && error.code === 'OFFER_EXPIRED') this.wakeup.wake();
      throw error;
    }
  }

  /**
   * The rider passes, and is never offered the delivery again. Sequentially the delivery goes to the next
   * rider; in a broadcast only this rider's offer closes, and the delivery waits again once none is open.
   */
  async decline(riderId: string, offerId: string): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const { delivery, offer } = await this.lockOffer(manager, riderId, offerId);
      const current = (await this.offers.current(manager, offer.id))!;
      // Declining a pending offer whose time just ran out is still a clear answer: take it.
      this.assertOpen(current.offer, current.offer.status === 'pending');
      if (!(await this.offers.close(manager, offer.id, 'declined'))) throw new DomainError('OFFER_CLOSED', `offer ${offer.id} is no longer open`);
      await this.reopenIfNoneOpen(manager, delivery, { type: 'rider', id: riderId, reason: 'offer declined' });
    });
    this.logger.log(`offer ${offerId} declined by rider ${riderId}`);
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
    const [row]: Array<Record<string, unknown> & { offer_id: string; rider_name: string }> = isUUID(offerId)
      ? await manager.query(
          `SELECT d.*, o.id AS offer_id, r.name AS rider_name
             FROM dispatch.offers o
             JOIN dispatch.deliveries d ON d.id = o.delivery_id
             JOIN dispatch.riders r ON r.id = o.rider_id
            WHERE o.id = $1 AND o.rider_id = $2
              FOR UPDATE OF d`,
          [offerId, riderId],
        )
      : [];
    if (!row) throw new DomainError('OFFER_NOT_FOUND', `no offer ${offerId} for this rider`);
    return { offer: { id: row.offer_id }, delivery: this.deliveries.toEntity(row), riderName: row.rider_name };
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

function atCapacity(active: number, capacity: number): DomainError {
  return new DomainError('RIDER_AT_CAPACITY', `you are carrying ${active} of ${capacity} deliveries; finish one first`, { active, capacity });
}

function describeScore(score: ScoreBreakdown | null): string {
  if (!score) return 'unscored';
  const stack = score.stack ? `, stacked ${score.stack.nearMeters} m from a job, first drop-off +${score.stack.delaySeconds} s` : '';
  return (
    `score ${score.total} (distance ${score.distance} at ${score.distanceMeters} m, load ${score.load} with ${score.active}/${score.capacity}, ` +
    `stacking ${score.stacking}, fairness ${score.fairness}${score.idleSeconds === null ? ' never assigned' : ` idle ${score.idleSeconds} s`}${stack})`
  );
}
