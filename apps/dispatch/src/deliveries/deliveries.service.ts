import { Inject, Injectable, Logger } from '@nestjs/common';
import { isUUID } from 'class-validator';
import { randomUUID } from 'node:crypto';
import { DataSource, type EntityManager } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '#config';
import { PATTERNS, type FeeQuote, type OrderCreatedEvent } from '#contracts';
import { GroupCommit, inboxClaimSql, queryPrepared, type Statement } from '#database';
import { about, bindLogContext, DomainError } from '#platform';
import { DispatchWakeup } from '../offers/dispatch-wakeup.js';
import { RiderChannel } from '../riders/rider-channel.js';
import { DeliveriesRepository, NOW } from './deliveries.repository.js';
import type { DeliveryEntity, DeliveryQuote, PricingProblem } from './delivery.entity.js';
import type { DeliveryStatus } from './delivery-status.js';
import { DeliveryEvents } from './delivery-events.js';
import { deliveryIds } from './delivery-log.js';
import { DeliveryTransitions } from './delivery-transitions.service.js';
import { checkReportedAt } from './reported-at.js';

/** A rider's report on a delivery it carries, and the status the delivery must be in for it. */
interface RiderStep {
  riderId: string;
  deliveryId: string;
  to: 'picked_up' | 'delivered';
}
const RIDER_STEP_FROM: Record<RiderStep['to'], DeliveryStatus> = { picked_up: 'assigned', delivered: 'picked_up' };

/** The fee service's answer as the delivery keeps it. */
export function deliveryQuote(quote: FeeQuote): DeliveryQuote {
  return {
    quoteId: quote.quoteId,
    total: quote.fee.total,
    currency: 'KRW',
    items: quote.fee.items,
    distanceMeters: quote.distanceMeters,
    durationSeconds: quote.durationSeconds,
    provider: quote.provider,
    estimated: quote.estimated,
    detourFactor: quote.detourFactor,
    factorSource: quote.factorSource,
    cached: quote.cached,
    attempts: quote.attempts,
    riderPay: quote.riderPay.total,
    tariffVersion: quote.tariffVersion,
    pricedAt: quote.pricedAt,
    distanceBasis: quote.distanceBasis,
  };
}

@Injectable()
export class DeliveriesService {
  private readonly logger = new Logger('deliveries');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly dataSource: DataSource,
    private readonly deliveries: DeliveriesRepository,
    private readonly events: DeliveryEvents,
    private readonly channel: RiderChannel,
    private readonly wakeup: DispatchWakeup,
    private readonly transitions: DeliveryTransitions,
  ) {}

  /**
   * Turns an accepted order into a pending delivery, once per event: a redelivered event, or a second event
   * for the same order, changes nothing. Returns whether a delivery was created. Orders that arrive together are
   * written together (see GroupCommit): the events' claims in the inbox, the deliveries and their first logged
   * steps are one statement.
   */
  async createFromOrder(event: OrderCreatedEvent): Promise<boolean> {
    const { claimed, created } = await this.orders.submit(event);
    if (claimed && !created) this.logger.warn(`order ${event.orderId} already has a delivery; event ${event.eventId} ignored`);
    if (created) {
      // Whatever is logged after, in this message's handling (pricing, the first offer), is about this delivery.
      bindLogContext({ deliveryId: created.id });
      this.logger.log(`delivery ${created.id} created for order ${event.orderId}`);
      this.wakeup.created(created);
    }
    return created !== null;
  }

  private readonly orders = new GroupCommit<OrderCreatedEvent, { claimed: boolean; created: DeliveryEntity | null }>(
    (events) => this.createDeliveries(events),
    async (event) => (await this.createDeliveries([event]))[0]!,
    // Orders read from the network together are written together, and go on together to pricing and offering.
    { maxBatch: 100, maxInFlight: 2, gather: 'turn' },
  );

  private async createDeliveries(events: OrderCreatedEvent[]): Promise<Array<{ claimed: boolean; created: DeliveryEntity | null }>> {
    // An event sent again while its first delivery is being written: only the first can claim it.
    const first = new Map<string, number>();
    events.forEach((event, i) => first.has(event.eventId.toLowerCase()) || first.set(event.eventId.toLowerCase(), i));
    const unique = [...first.values()].map((i) => events[i]!);
    const results = await this.deliveries.insertForEvents(
      this.dataSource.manager,
      unique.map((event) => ({
        eventId: event.eventId,
        pattern: PATTERNS.ORDER_CREATED,
        delivery: {
          id: randomUUID(),
          orderId: event.orderId,
          agencyId: event.agencyId,
          restaurantId: event.restaurantId,
          restaurantName: event.restaurantName,
          externalOrderId: event.externalOrderId,
          pickupLng: event.pickup.lng,
          pickupLat: event.pickup.lat,
          pickupAddress: event.pickup.address,
          dropoffLng: event.dropoff.lng,
          dropoffLat: event.dropoff.lat,
          dropoffAddress: event.dropoff.address,
          dropoffDetail: event.dropoff.detail ?? null,
          readyAt: event.readyAt ? new Date(event.readyAt) : null,
          promisedAt: event.promisedAt ? new Date(event.promisedAt) : null,
          customerPhone: event.customerPhone ?? null,
          paymentMethod: event.payment?.method ?? null,
          paymentCollectAmount: event.payment?.collectAmount ?? null,
          enteredBy: event.enteredBy ?? 'restaurant',
        },
      })),
      (rows) => inboxClaimSql('dispatch', rows),
      (source, params) => this.transitions.createdSql(source, params),
    );
    const byEvent = new Map(unique.map((event, i) => [event, results[i]!]));
    return events.map((event) => byEvent.get(event) ?? { claimed: false, created: null });
  }

  /** The delivery, if it still waits for its first price (new, unpriced, never tried). */
  async waitingForFirstPrice(id: string): Promise<DeliveryEntity | null> {
    const delivery = await this.deliveries.findById(id);
    return delivery && delivery.fee === null && delivery.status === 'pending' && delivery.quoteAttempts === 0 ? delivery : null;
  }

  /** Deliveries whose price should be asked for now (a new one only once its first attempt had `firstAttemptMs`). */
  dueForPricing(limit: number, firstAttemptMs: number, exceptAgencies: string[] = []): Promise<DeliveryEntity[]> {
    return this.deliveries.dueForPricing(limit, firstAttemptMs, exceptAgencies);
  }

  /**
   * Stores the fee service's quote on a delivery, with its delivery locked, and tells the restaurant's side its
   * price. A delivery that simply waits for its price and a rider is priced and offered together by
   * `OfferingService.offerAtPrice`; this takes the others. A delivery offered or taken while its fee was pending
   * is priced too: its riders (those holding an open offer, and the one it is assigned to) get `delivery:fee`,
   * and the charges of the stages it reached unpriced are written now. One cancelled meanwhile, or priced by an
   * earlier attempt that answered late, is left as it is. Returns whether it was priced now. With a `fence` (the
   * agency's lease, for a pricing pass) it is written only while this instance owns the agency.
   */
  async recordQuote(deliveryId: string, quote: FeeQuote, options: { fence?: Statement } = {}): Promise<boolean> {
    const { priced, notify, delivery: pricedDelivery } = await this.dataSource.transaction(async (manager) => {
      if (options.fence) await queryPrepared(manager, options.fence);
      const delivery = await this.deliveries.lock(manager, deliveryId);
      // Cancelled meanwhile, or priced by an earlier attempt that answered late.
      const none = { priced: false, notify: [] as string[], delivery: undefined };
      if (!delivery || delivery.fee || (delivery.status !== 'pending' && !delivery.feePendingSince)) return none;
      const updated = await this.deliveries.update(manager, delivery, {
        fee: deliveryQuote(quote),
        pricingProblem: null,
        quotedAt: NOW,
      });
      await this.events.record(manager, updated, 'quoted');
      if (!updated.feePendingSince) return { priced: true, notify: [] as string[], delivery: updated };
      await this.events.recordLateCharges(manager, updated);
      const notify = new Set(await this.deliveries.pendingOfferRiders(manager, updated.id));
      if (updated.riderId && (updated.status === 'assigned' || updated.status === 'picked_up')) notify.add(updated.riderId);
      return { priced: true, notify: [...notify], delivery: updated };
    });
    if (priced) this.events.flush();
    // Offered with its fee pending and waiting again: it may be offered at its price now.
    if (pricedDelivery?.status === 'pending') this.wakeup.wake();
    if (pricedDelivery?.fee) {
      const { total, riderPay, distanceMeters } = pricedDelivery.fee;
      for (const riderId of notify) this.channel.send(riderId, 'delivery:fee', { deliveryId, fee: total, riderPay: riderPay ?? null, distanceMeters });
    }
    return priced;
  }

  /**
   * No price yet: the delivery waits and is priced again after `delayMs`. With a `problem` (fee refused to
   * price it) the agency is shown why; without one (fee did not answer) what it was shown stays.
   */
  postponePricing(deliveryId: string, delayMs: number, options: { problem?: PricingProblem; fence?: Statement } = {}): Promise<void> {
    return this.deliveries.postponePricing(deliveryId, delayMs, options.problem, options.fence);
  }

  /** The assigned rider has collected the order (at `at`, by its device, for a report sent late). */
  pickUp(riderId: string, deliveryId: string, at?: Date): Promise<DeliveryEntity> {
    return this.advance(riderId, deliveryId, 'picked_up', at);
  }

  /** The assigned rider has handed the order over; the rider's capacity frees up. */
  async deliver(riderId: string, deliveryId: string, at?: Date): Promise<DeliveryEntity> {
    const delivery = await this.advance(riderId, deliveryId, 'delivered', at);
    this.wakeup.wake();
    return delivery;
  }

  /**
   * Riders' reports that arrive while earlier ones are committing are written together (see GroupCommit): one
   * transaction moves and logs them all and writes their events. A report that does not simply move its delivery
   * on is answered one at a time by `advanceOne`.
   */
  private readonly riderSteps = new GroupCommit<RiderStep, DeliveryEntity | null>(
    (steps) => this.applyRiderSteps(steps),
    async (step) => (await this.applyRiderSteps([step]))[0]!,
    { maxBatch: 64, maxInFlight: 2 },
  );

  private async advance(riderId: string, deliveryId: string, to: RiderStep['to'], at?: Date): Promise<DeliveryEntity> {
    // A report dated by the device (sent after the network returned) is rare, and its time is checked under the lock.
    if (at) return this.advanceOne(riderId, deliveryId, to, at);
    const moved = isUUID(deliveryId) ? await this.riderSteps.submit({ riderId, deliveryId: deliveryId.toLowerCase(), to }) : null;
    if (!moved) return this.advanceOne(riderId, deliveryId, to);
    this.logger.log(about(deliveryIds(moved), `delivery ${moved.id} ${to} by rider ${riderId}`));
    return moved;
  }

  /** Each step's delivery as moved, or null where it did not move. */
  private async applyRiderSteps(steps: RiderStep[]): Promise<Array<DeliveryEntity | null>> {
    const moved = await this.dataSource.transaction(async (manager) => {
      const moved: DeliveryEntity[] = [];
      // Each report moves its delivery only if the rider carries it; the rider is its actor.
      for (const to of ['picked_up', 'delivered'] as const) {
        const moves = steps.filter((step) => step.to === to).map((step) => ({ id: step.deliveryId, from: RIDER_STEP_FROM[to], carriedBy: step.riderId, actorId: step.riderId }));
        moved.push(...(await this.transitions.applyEach(manager, moves, to, { type: 'rider', id: null })));
      }
      await this.events.recordAll(manager, moved.map((delivery) => ({ delivery, status: delivery.status as RiderStep['to'] })));
      return moved;
    });
    if (moved.length > 0) this.events.flush();
    const byId = new Map(moved.map((delivery) => [delivery.id, delivery]));
    return steps.map((step) => {
      const delivery = byId.get(step.deliveryId);
      return delivery && delivery.status === step.to && delivery.riderId === step.riderId ? delivery : null;
    });
  }

  /** One report, with its delivery locked: a report sent again changes nothing; any other refusal is explained. */
  private async advanceOne(riderId: string, deliveryId: string, to: RiderStep['to'], at?: Date): Promise<DeliveryEntity> {
    const { delivery, changed } = await this.dataSource.transaction(async (manager) => {
      const current = await this.lockOwnDelivery(manager, riderId, deliveryId);
      // A report sent again because its answer was lost on a bad connection: already done, nothing to change.
      if (current.status === to) return { delivery: current, changed: false };
      if (at) checkReportedAt(current, at, new Date(), this.config.dispatch.riderReportMaxSkewSeconds);
      const updated = await this.transitions.apply(manager, current, to, { type: 'rider', id: riderId, ...(at ? { reportedAt: at } : {}) });
      await this.events.record(manager, updated, to);
      return { delivery: updated, changed: true };
    });
    if (changed) {
      this.events.flush();
      this.logger.log(about(deliveryIds(delivery), `delivery ${delivery.id} ${to} by rider ${riderId}`));
    }
    return delivery;
  }

  /** A rider sees only the deliveries assigned to it: anyone else's is not found, not forbidden. */
  private async lockOwnDelivery(manager: EntityManager, riderId: string, deliveryId: string): Promise<DeliveryEntity> {
    const delivery = isUUID(deliveryId) ? await this.deliveries.lock(manager, deliveryId) : null;
    if (!delivery || delivery.riderId !== riderId) {
      throw new DomainError('DELIVERY_NOT_FOUND', `no delivery ${deliveryId} assigned to this rider`);
    }
    return delivery;
  }

  /**
   * The agency calls a delivery off before it is picked up. A pending offer is withdrawn, an assigned rider is
   * released, both are told, and the restaurant's side gets a `cancelled` event.
   */
  async cancel(agencyId: string, deliveryId: string): Promise<DeliveryEntity> {
    const { delivery, notify } = await this.dataSource.transaction(async (manager) => {
      const current = isUUID(deliveryId) ? await this.deliveries.lock(manager, deliveryId) : null;
      if (!current || current.agencyId !== agencyId) throw new DomainError('DELIVERY_NOT_FOUND', `no delivery ${deliveryId}`);
      const withdrawn = await this.deliveries.withdrawPendingOffers(manager, current.id);
      const updated = await this.transitions.apply(manager, current, 'cancelled', { type: 'agency', id: agencyId });
      await this.events.record(manager, updated, 'cancelled', undefined, current.riderId ?? undefined);
      const riders = new Set(withdrawn.map((offer) => offer.riderId));
      if (current.riderId) riders.add(current.riderId);
      return { delivery: updated, notify: [...riders] };
    });
    this.events.flush();
    for (const riderId of notify) this.channel.send(riderId, 'delivery:cancelled', { deliveryId });
    this.wakeup.wake();
    this.logger.log(about(deliveryIds(delivery), `delivery ${delivery.id} cancelled by its agency`));
    return delivery;
  }
}
