import { Inject, Injectable, Logger } from '@nestjs/common';
import { isUUID } from 'class-validator';
import { DataSource, type EntityManager } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '#config';
import { about, DomainError } from '#platform';
import { AgencyAudit } from '../audit/agency-audit.js';
import { DispatchWakeup } from '../offers/dispatch-wakeup.js';
import type { RiderEntity } from '../riders/rider.entity.js';
import { RiderChannel } from '../riders/rider-channel.js';
import { RidersRepository } from '../riders/riders.repository.js';
import { RidersService } from '../riders/riders.service.js';
import { DeliveriesRepository, NOW } from './deliveries.repository.js';
import type { DeliveryEntity } from './delivery.entity.js';
import { DeliveryEvents } from './delivery-events.js';
import { deliveryIds } from './delivery-log.js';
import { DeliveryOperationsRepository, type ClosedOffer, type OpenOffer } from './delivery-operations.repository.js';
import { nextStatuses, type DeliveryStatus } from './delivery-status.js';
import { DeliveryTransitionsRepository, type DeliveryTransition } from './delivery-transitions.repository.js';
import { DeliveryTransitions, type TransitionActor } from './delivery-transitions.service.js';
import { riderDeliveryView } from './delivery.views.js';
import { riderAtCapacity } from '../riders/rider-capacity.js';
import { checkReportedAt } from './reported-at.js';

const REASSIGNED = 'reassigned to another rider by the agency';
const UNASSIGNED = 'taken back by the agency';
import type { BoardFilter } from './dto/list-deliveries.query.js';

/** Deliveries read per query while exporting the board: one page of the board at its largest, and then some. */
const EXPORT_PAGE = 500;

/** A delivery on the agency's board with what the board shows beside it. */
export interface BoardRow {
  delivery: DeliveryEntity;
  riderName?: string;
  /** When it last changed status (or was created). */
  lastChangeAt: Date;
  /** Who made the last assignment, while it is assigned or later. */
  assignedBy: DeliveryTransition['actorType'] | null;
  /** Its offers waiting for an answer, each seen or not yet seen by its rider's app. */
  openOffers: OpenOffer[];
}

/** What a rider must be told once a step has committed. */
type RiderMessage =
  | { riderId: string; event: 'delivery:assigned'; delivery: DeliveryEntity }
  | { riderId: string; event: 'delivery:unassigned' | 'delivery:failed'; deliveryId: string; reason: string }
  | { riderId: string; event: 'offer:taken'; offerId: string };

/**
 * What the agency does to its deliveries by hand (assign, reassign, unassign, hold and release, fail), a rider's
 * report of a failed trip, and the agency's board. Each step locks the delivery's row, then the rider's, like the
 * offers do, moves the delivery through `DeliveryTransitions` with the agency (or rider) as actor, records the
 * restaurant's event in the same transaction, and tells riders only after the commit.
 */
@Injectable()
export class DeliveryOperations {
  private readonly logger = new Logger('deliveries');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly dataSource: DataSource,
    private readonly deliveries: DeliveriesRepository,
    private readonly operations: DeliveryOperationsRepository,
    private readonly transitions: DeliveryTransitions,
    private readonly log: DeliveryTransitionsRepository,
    private readonly riders: RidersRepository,
    private readonly riderNames: RidersService,
    private readonly events: DeliveryEvents,
    private readonly channel: RiderChannel,
    private readonly wakeup: DispatchWakeup,
    private readonly audit: AgencyAudit,
  ) {}

  /**
   * Assigns a waiting or offered delivery to one of the agency's riders, with room for it. Open offers close:
   * their riders are told the delivery was taken (the chosen rider's own offer counts as accepted).
   */
  async assign(agencyId: string, deliveryId: string, riderId: string): Promise<DeliveryEntity> {
    const agency: TransitionActor = { type: 'agency', id: agencyId };
    return this.run(`assigned by hand to rider ${riderId}`, async (manager) => {
      const current = await this.lockAgencyDelivery(manager, agencyId, deliveryId);
      if (current.status !== 'pending' && current.status !== 'offered') {
        throw refused(current.status, 'assigned', current.status === 'assigned' ? 'reassign it instead' : undefined);
      }
      // Fee merely slow or unreachable: the rider gets it with its fee pending, and `delivery:fee` once priced. Fee
      // refusing to price it (no tariff, out of area) is for the agency to fix first.
      if (!current.fee && current.pricingProblem) {
        throw new DomainError('DELIVERY_NOT_PRICED', `delivery ${deliveryId} cannot be priced (${current.pricingProblem.code}); fix that first`, {
          pricingProblem: current.pricingProblem.code,
        });
      }
      const rider = await this.lockAgencyRider(manager, agencyId, riderId);
      const closed = await this.operations.closeOffersFor(manager, current.id, rider.id);
      const assigned = await this.transitions.apply(manager, current, 'assigned', agency, {
        riderId: rider.id,
        manualDispatchSince: null,
        ...(!current.fee && !current.feePendingSince ? { feePendingSince: NOW } : {}),
      });
      await this.events.record(manager, assigned, 'assigned', { id: rider.id, name: rider.name });
      return { delivery: assigned, notify: [...takenNotices(closed, rider.id), { riderId: rider.id, event: 'delivery:assigned', delivery: assigned }] };
    });
  }

  /** Moves an assigned delivery, not yet picked up, to another of the agency's riders. */
  async reassign(agencyId: string, deliveryId: string, riderId: string, reason = REASSIGNED): Promise<DeliveryEntity> {
    const agency: TransitionActor = { type: 'agency', id: agencyId, reason };
    return this.run(`reassigned by hand to rider ${riderId}`, async (manager) => {
      const current = await this.lockAgencyDelivery(manager, agencyId, deliveryId);
      if (current.status !== 'assigned') {
        throw refused(current.status, 'assigned', current.status === 'pending' || current.status === 'offered' ? 'assign it instead' : undefined);
      }
      const previous = current.riderId!;
      if (previous === riderId.toLowerCase()) {
        throw DomainError.validation([{ field: 'riderId', value: riderId, reason: 'the delivery is already assigned to this rider' }]);
      }
      const rider = await this.lockAgencyRider(manager, agencyId, riderId);
      await this.operations.releaseRider(manager, current.id, previous);
      const assigned = await this.transitions.apply(manager, current, 'assigned', agency, { riderId: rider.id });
      await this.events.record(manager, assigned, 'assigned', { id: rider.id, name: rider.name });
      return {
        delivery: assigned,
        notify: [
          { riderId: previous, event: 'delivery:unassigned', deliveryId: current.id, reason },
          { riderId: rider.id, event: 'delivery:assigned', delivery: assigned },
        ],
      };
    });
  }

  /**
   * Takes an assigned delivery, not yet picked up, back from its rider: it waits again, never to be offered to
   * that rider automatically. With `hold` the dispatcher leaves it alone until released or assigned by hand.
   */
  async unassign(agencyId: string, deliveryId: string, options: { hold?: boolean; reason?: string }): Promise<DeliveryEntity> {
    const reason = options.reason ?? UNASSIGNED;
    const hold = options.hold ?? false;
    return this.run(`unassigned by hand${hold ? ' and held' : ''}`, async (manager) => {
      const current = await this.lockAgencyDelivery(manager, agencyId, deliveryId);
      if (current.status !== 'assigned') throw refused(current.status, 'pending');
      const previous = current.riderId!;
      await this.operations.releaseRider(manager, current.id, previous);
      const pending = await this.transitions.apply(manager, current, 'pending', { type: 'agency', id: agencyId, reason: hold ? `${reason} (held)` : reason }, { dispatchHold: hold });
      // The restaurant is told its order waits for a rider again.
      await this.events.record(manager, pending, 'unassigned', undefined, undefined, reason);
      return { delivery: pending, notify: [{ riderId: previous, event: 'delivery:unassigned', deliveryId: current.id, reason }] };
    });
  }

  /** Lets automatic dispatch offer a held delivery again. Releasing one that is not held changes nothing. */
  async release(agencyId: string, deliveryId: string): Promise<DeliveryEntity> {
    return this.run('released to automatic dispatch', async (manager) => {
      const current = await this.lockAgencyDelivery(manager, agencyId, deliveryId);
      if (!current.dispatchHold) return { delivery: current, notify: [], unchanged: true };
      await this.audit.record(manager, 'delivery.released', current.id, { orderId: current.orderId });
      return { delivery: await this.deliveries.update(manager, current, { dispatchHold: false }), notify: [] };
    });
  }

  /** The agency reports that a trip under way could not be finished; its rider is told and freed. */
  failByAgency(agencyId: string, deliveryId: string, reason: string): Promise<DeliveryEntity> {
    return this.fail({ type: 'agency', id: agencyId, reason }, deliveryId, (d) => d.agencyId === agencyId);
  }

  /**
   * The rider reports that it cannot finish the trip. Sent again after it succeeded (its answer lost), it answers
   * the delivery as it is and changes nothing. `at` dates a report the rider's app kept while offline.
   */
  failByRider(riderId: string, deliveryId: string, reason: string, at?: Date): Promise<DeliveryEntity> {
    return this.fail({ type: 'rider', id: riderId, reason, ...(at ? { reportedAt: at } : {}) }, deliveryId, (d) => d.riderId === riderId);
  }

  private fail(actor: TransitionActor, deliveryId: string, mayAct: (d: DeliveryEntity) => boolean): Promise<DeliveryEntity> {
    const reason = actor.reason!;
    return this.run(`failed (${actor.type}: ${reason})`, async (manager) => {
      const current = isUUID(deliveryId) ? await this.deliveries.lock(manager, deliveryId) : null;
      if (!current || !mayAct(current)) {
        throw new DomainError('DELIVERY_NOT_FOUND', actor.type === 'rider' ? `no delivery ${deliveryId} assigned to this rider` : `no delivery ${deliveryId}`);
      }
      if (current.status === 'failed') return { delivery: current, notify: [], unchanged: true };
      if (actor.reportedAt) checkReportedAt(current, actor.reportedAt, new Date(), this.config.dispatch.riderReportMaxSkewSeconds);
      const failed = await this.transitions.apply(manager, current, 'failed', actor, { failureReason: reason });
      await this.events.record(manager, failed, 'failed');
      // The rider who reported it knows; one whose trip the agency failed is told to drop it.
      const notify: RiderMessage[] = actor.type === 'agency' ? [{ riderId: current.riderId!, event: 'delivery:failed', deliveryId: current.id, reason }] : [];
      return { delivery: failed, notify };
    });
  }

  /** The agency's board, newest first: each delivery with its rider's name, when it last moved and who assigned it. */
  async board(agencyId: string, options: BoardFilter): Promise<BoardRow[]> {
    const [deliveries, names] = await Promise.all([this.deliveries.listForAgency(agencyId, options), this.riderNames.namesByAgency(agencyId)]);
    const ids = deliveries.map((d) => d.id);
    const [steps, offers] = await Promise.all([this.log.lastSteps(ids), this.operations.openOffers(ids.filter((_, i) => deliveries[i]!.status === 'offered'))]);
    return deliveries.map((delivery) => ({
      delivery,
      riderName: delivery.riderId ? names.get(delivery.riderId) : undefined,
      lastChangeAt: steps.get(delivery.id)?.lastAt ?? delivery.createdAt,
      assignedBy: delivery.riderId ? (steps.get(delivery.id)?.assignedBy ?? null) : null,
      openOffers: offers.get(delivery.id) ?? [],
    }));
  }

  /** Every delivery the filter selects, newest first, a page at a time (`limit` and `after` aside). */
  async *boardPages(agencyId: string, filter: BoardFilter, { pageSize = EXPORT_PAGE } = {}): AsyncGenerator<BoardRow[]> {
    let after: BoardFilter['after'];
    for (;;) {
      const rows = await this.board(agencyId, { ...filter, limit: pageSize, after });
      if (rows.length > 0) yield rows;
      if (rows.length < pageSize) return;
      const last = rows[rows.length - 1]!.delivery;
      after = { createdAt: last.createdAt, id: last.id };
    }
  }

  /** One delivery of the agency's with every step it took; another agency's is not found. */
  async detail(agencyId: string, deliveryId: string): Promise<BoardRow & { transitions: DeliveryTransition[] }> {
    const delivery = isUUID(deliveryId) ? await this.deliveries.findById(deliveryId) : null;
    if (!delivery || delivery.agencyId !== agencyId) throw new DomainError('DELIVERY_NOT_FOUND', `no delivery ${deliveryId}`);
    const [transitions, names, offers] = await Promise.all([
      this.log.listFor(delivery.id),
      this.riderNames.namesByAgency(agencyId),
      this.operations.openOffers([delivery.id]),
    ]);
    const lastAssignment = transitions.filter((t) => t.to === 'assigned').at(-1);
    return {
      delivery,
      riderName: delivery.riderId ? names.get(delivery.riderId) : undefined,
      lastChangeAt: transitions.at(-1)?.at ?? delivery.createdAt,
      assignedBy: delivery.riderId ? (lastAssignment?.actorType ?? null) : null,
      openOffers: offers.get(delivery.id) ?? [],
      transitions,
    };
  }

  /** Runs a step in a transaction, then sends the restaurant's events, tells the riders and wakes the dispatcher. */
  private async run(
    what: string,
    step: (manager: EntityManager) => Promise<{ delivery: DeliveryEntity; notify: RiderMessage[]; unchanged?: boolean }>,
  ): Promise<DeliveryEntity> {
    const { delivery, notify, unchanged } = await this.dataSource.transaction(step).catch((error: unknown) => {
      // The database checks the rider's room as the delivery is assigned.
      throw riderAtCapacity(error) ?? error;
    });
    if (unchanged) return delivery;
    this.events.flush();
    for (const message of notify) this.tell(message);
    // A step may free a rider's place or put a delivery back within the dispatcher's reach.
    this.wakeup.wake();
    this.logger.log(about(deliveryIds(delivery), `delivery ${delivery.id} ${what}`));
    return delivery;
  }

  private tell(message: RiderMessage): void {
    switch (message.event) {
      case 'delivery:assigned':
        return this.channel.send(message.riderId, 'delivery:assigned', riderDeliveryView(message.delivery));
      case 'delivery:unassigned':
      case 'delivery:failed':
        return this.channel.send(message.riderId, message.event, { deliveryId: message.deliveryId, reason: message.reason });
      case 'offer:taken':
        return this.channel.send(message.riderId, 'offer:taken', { offerId: message.offerId });
    }
  }

  /** The agency's own delivery, locked; any other is not found, so a key never learns of another agency's. */
  private async lockAgencyDelivery(manager: EntityManager, agencyId: string, deliveryId: string): Promise<DeliveryEntity> {
    const delivery = isUUID(deliveryId) ? await this.deliveries.lock(manager, deliveryId) : null;
    if (!delivery || delivery.agencyId !== agencyId) throw new DomainError('DELIVERY_NOT_FOUND', `no delivery ${deliveryId}`);
    return delivery;
  }

  /** One of the agency's riders, locked (after the delivery, as the capacity trigger locks it); its room is the trigger's to check. */
  private async lockAgencyRider(manager: EntityManager, agencyId: string, riderId: string): Promise<RiderEntity> {
    const rider = isUUID(riderId) ? await this.riders.lock(manager, riderId.toLowerCase()) : null;
    if (!rider || rider.agencyId !== agencyId) throw new DomainError('RIDER_NOT_FOUND', `no rider ${riderId} in this agency`);
    return rider;
  }
}

/** Riders whose open offer closed because the agency gave the delivery to someone else. */
function takenNotices(closed: ClosedOffer[], assignedRiderId: string): RiderMessage[] {
  return closed.filter((offer) => offer.riderId !== assignedRiderId).map((offer) => ({ riderId: offer.riderId, event: 'offer:taken', offerId: offer.offerId }));
}

/** INVALID_TRANSITION for a manual step the delivery's status does not allow, with what it may do instead. */
function refused(from: DeliveryStatus, to: DeliveryStatus, hint?: string): DomainError {
  const allowed = nextStatuses(from);
  const next = allowed.length > 0 ? `it may go to ${allowed.join(', ')}` : `${from} is final`;
  return new DomainError('INVALID_TRANSITION', `a delivery cannot go from ${from} to ${to} this way; ${hint ?? next}`, { from, to, allowed: [...allowed] });
}
