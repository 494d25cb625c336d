import { Inject, Injectable, Logger } from '@nestjs/common';
import { isUUID } from 'class-validator';
import { randomUUID } from 'node:crypto';
import { DataSource, type EntityManager } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '#config';
import { DomainError } from '#platform';
import { DeliveriesRepository } from '../deliveries/deliveries.repository.js';
import type { DeliveryEntity } from '../deliveries/delivery.entity.js';
import { DeliveryEvents } from '../deliveries/delivery-events.js';
import { DeliveryTransitions, SYSTEM } from '../deliveries/delivery-transitions.service.js';
import { RiderChannel, type OfferMessage } from '../riders/rider-channel.js';
import { RiderPresenceStore } from '../riders/rider-presence.store.js';
import { RidersRepository } from '../riders/riders.repository.js';
import { DispatchWakeup } from './dispatch-wakeup.js';
import { nearestRider } from './nearest-rider.js';
import type { OfferEntity } from './offer.entity.js';
import { OffersRepository } from './offers.repository.js';

const BATCH = 100;
const WAITING_BATCH = 500;

/** What the rider is shown: where to collect, where to bring it, what it pays, and until when to answer. */
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
    fee: delivery.fee!.total,
    riderPay: delivery.fee!.riderPay ?? null,
    distanceMeters: delivery.fee!.distanceMeters,
    expiresAt: offer.expiresAt.toISOString(),
  };
}

/**
 * Offers deliveries to riders one at a time and settles the answers. Every step locks the delivery's row
 * first (then the rider's), so concurrent accepts, declines, expiries and new offers of one delivery run one
 * after another, and the unique indexes on offers are the last guard.
 */
@Injectable()
export class OffersService {
  private readonly logger = new Logger('offers');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly dataSource: DataSource,
    private readonly offers: OffersRepository,
    private readonly deliveries: DeliveriesRepository,
    private readonly riders: RidersRepository,
    private readonly events: DeliveryEvents,
    private readonly presence: RiderPresenceStore,
    private readonly channel: RiderChannel,
    private readonly wakeup: DispatchWakeup,
    private readonly transitions: DeliveryTransitions,
  ) {}

  /** Offers each priced, waiting delivery to the nearest online rider who may take it; returns how many. */
  async offerWaiting(): Promise<number> {
    let offered = 0;
    const agencies = this.presence.agenciesWithLocatedRiders();
    if (agencies.length === 0) return 0;
    for (const delivery of await this.deliveries.waitingForRider(agencies, WAITING_BATCH)) {
      try {
        if (await this.offerToNearest(delivery)) offered++;
      } catch (error) {
        // One delivery that fails must not hold up the ones behind it; it is tried again next sweep.
        this.logger.error(`could not offer delivery ${delivery.id}: ${(error as Error)?.message ?? String(error)}`);
      }
    }
    return offered;
  }

  private async offerToNearest(delivery: DeliveryEntity): Promise<boolean> {
    const located = this.presence.locatedOnline(delivery.agencyId);
    if (located.length === 0) return false;
    const eligible = await this.offers.eligibleRiders(
      delivery.agencyId,
      delivery.id,
      located.map((rider) => rider.riderId),
    );
    const pickup = { lng: delivery.pickupLng, lat: delivery.pickupLat };
    const choice = nearestRider(pickup, located.filter((rider) => eligible.has(rider.riderId)));
    if (!choice) return false;
    const made = await this.dataSource.transaction((manager) => this.makeOffer(manager, delivery.id, choice.riderId));
    if (!made) return false;
    this.channel.send(choice.riderId, 'offer', offerMessage(made.offer, made.delivery));
    this.logger.log(`delivery ${delivery.id} offered to rider ${choice.riderId} (${Math.round(choice.distanceMeters)} m from pickup)`);
    return true;
  }

  /** Re-checks everything under the locks, since the choice was made from a snapshot. */
  private async makeOffer(manager: EntityManager, deliveryId: string, riderId: string) {
    const delivery = await this.deliveries.lock(manager, deliveryId);
    if (!delivery || delivery.status !== 'pending' || !delivery.fee) return undefined;
    const rider = await this.riders.lock(manager, riderId);
    if (!rider || rider.agencyId !== delivery.agencyId) return undefined;
    const load = await this.riders.load(manager, riderId);
    if (!load || load.active + load.offered >= rider.capacity) return undefined;
    if (await this.offers.wasOffered(manager, deliveryId, riderId)) return undefined;
    const offered = await this.transitions.apply(manager, delivery, 'offered', SYSTEM);
    const offer = await this.offers.insert(manager, {
      id: randomUUID(),
      deliveryId,
      riderId,
      timeoutSeconds: this.config.dispatch.offerTimeoutSeconds,
    });
    return { offer, delivery: offered };
  }

  /** Closes offers nobody answered in time; each delivery goes back to waiting for the next rider. */
  async expireDue(): Promise<number> {
    let expired = 0;
    for (const due of await this.offers.dueToExpire(BATCH)) {
      const closed = await this.dataSource
        .transaction(async (manager) => {
          const delivery = await this.deliveries.lock(manager, due.deliveryId);
          if (!delivery || !(await this.offers.expire(manager, due.id))) return false;
          if (delivery.status === 'offered') await this.transitions.apply(manager, delivery, 'pending', { ...SYSTEM, reason: 'offer expired' });
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
   * The rider takes the job. However many accepts arrive at once (from several devices), one assigns the
   * delivery and the others are refused with OFFER_TAKEN.
   */
  async accept(riderId: string, offerId: string): Promise<DeliveryEntity> {
    try {
      const { delivery, taken } = await this.dataSource.transaction(async (manager) => {
        const { delivery, offer } = await this.lockOffer(manager, riderId, offerId);
        const rider = (await this.riders.lock(manager, riderId))!;
        const current = (await this.offers.current(manager, offer.id))!;
        this.assertOpen(current.offer, current.live);
        const load = await this.riders.load(manager, riderId);
        if ((load?.active ?? 0) >= rider.capacity) {
          throw new DomainError('RIDER_AT_CAPACITY', `you are carrying ${load?.active} of ${rider.capacity} deliveries; finish one first`, {
            active: load?.active ?? 0,
            capacity: rider.capacity,
          });
        }
        // Under the delivery's lock this cannot fail; if it ever did, assigning twice would be worse.
        if (!(await this.offers.close(manager, offer.id, 'accepted'))) throw new DomainError('OFFER_TAKEN', `offer ${offer.id} is no longer open`);
        const taken = await this.offers.takeOthers(manager, delivery.id, offer.id);
        const assigned = await this.transitions.apply(manager, delivery, 'assigned', { type: 'rider', id: riderId }, { riderId });
        await this.events.record(manager, assigned, 'assigned', { id: rider.id, name: rider.name });
        return { delivery: assigned, taken };
      });
      this.events.flush();
      for (const other of taken) this.channel.send(other.riderId, 'offer:taken', { offerId: other.id });
      this.logger.log(`delivery ${delivery.id} assigned to rider ${riderId}`);
      return delivery;
    } catch (error) {
      // An accept that came too late: the sweep has not closed the offer yet, so do it now.
      if (error instanceof DomainError && error.code === 'OFFER_EXPIRED') this.wakeup.wake();
      throw error;
    }
  }

  /** The rider passes: the delivery goes to the next nearest rider, and never to this one again. */
  async decline(riderId: string, offerId: string): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const { delivery, offer } = await this.lockOffer(manager, riderId, offerId);
      const current = (await this.offers.current(manager, offer.id))!;
      // Declining a pending offer whose time just ran out is still a clear answer: take it.
      this.assertOpen(current.offer, current.offer.status === 'pending');
      if (!(await this.offers.close(manager, offer.id, 'declined'))) throw new DomainError('OFFER_CLOSED', `offer ${offer.id} is no longer open`);
      if (delivery.status === 'offered') await this.transitions.apply(manager, delivery, 'pending', { type: 'rider', id: riderId, reason: 'offer declined' });
    });
    this.logger.log(`offer ${offerId} declined by rider ${riderId}`);
    this.wakeup.wake();
  }

  /** The rider's offers still waiting for an answer, to send again when it reconnects. */
  async liveOffersFor(riderId: string): Promise<OfferMessage[]> {
    const offers = await this.offers.livePendingFor(riderId);
    const deliveries = new Map((await this.deliveries.findByIds(offers.map((o) => o.deliveryId))).map((d) => [d.id, d]));
    return offers.filter((offer) => deliveries.get(offer.deliveryId)?.fee).map((offer) => offerMessage(offer, deliveries.get(offer.deliveryId)!));
  }

  /** Finds the rider's offer and locks its delivery: from here on nothing else changes either. */
  private async lockOffer(manager: EntityManager, riderId: string, offerId: string) {
    const offer = isUUID(offerId) ? await this.offers.findById(offerId, manager) : null;
    if (!offer || offer.riderId !== riderId) throw new DomainError('OFFER_NOT_FOUND', `no offer ${offerId} for this rider`);
    const delivery = (await this.deliveries.lock(manager, offer.deliveryId))!;
    return { offer, delivery };
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
