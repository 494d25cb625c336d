import { isUUID } from 'class-validator';
import type { DataSource } from 'typeorm';
import { addToOutbox, queryPrepared } from '#database';
import { DomainError } from '#platform';
import { AgencyAudit } from '../audit/agency-audit.js';
import { AuditLogRepository } from '../audit/audit-log.repository.js';
import { DeliveriesRepository } from '../deliveries/deliveries.repository.js';
import { deliveryStepMessages } from '../deliveries/delivery-events.js';
import { DeliveryOperationsRepository } from '../deliveries/delivery-operations.repository.js';
import { DeliveryTransitionsRepository } from '../deliveries/delivery-transitions.repository.js';
import { DeliveryTransitions } from '../deliveries/delivery-transitions.service.js';
import { RidersRepository } from '../riders/riders.repository.js';
import { RIDER_DISABLED } from './rider-admin.service.js';

/** Times a disable starts again because the rider was assigned another delivery between its two reads of them. */
const MAX_ATTEMPTS = 5;

/**
 * Disables or enables a rider from the machine (the admin CLI), audited as `audit.label`. Disabling hands the
 * deliveries the rider was assigned but had not picked up back to dispatch in the same transaction, as the agency's
 * `POST …/riders/{id}/disable` does (status back to pending, the step logged, the restaurant's `unassigned` event
 * in the outbox), so a running dispatch offers them again on its next round. Unknown rider: RIDER_NOT_FOUND.
 * Changing nothing (disabling a disabled rider) is not audited.
 *
 * Lock order, as in dispatch: the deliveries' rows first (in id order, as offering and accepting lock several), then
 * the rider's. Dispatch's accepts and manual assignments lock a delivery and then its rider (the capacity trigger
 * does too), so taking the rider first here could deadlock with them. The rider's deliveries are therefore read
 * before any lock, locked, and read again once the rider is locked (from then on none can be assigned to it): a
 * delivery assigned in between was not locked in order, so the transaction is rolled back and started again.
 */
export async function setRiderDisabled(dataSource: DataSource, riderId: string, disabled: boolean, audit: { label: string }) {
  const riders = new RidersRepository(dataSource);
  const deliveries = new DeliveriesRepository(dataSource);
  const offers = new DeliveryOperationsRepository(dataSource);
  const log = new AuditLogRepository(dataSource);
  const transitions = new DeliveryTransitions(deliveries, new DeliveryTransitionsRepository(dataSource), new AgencyAudit(log));
  const id = isUUID(riderId) ? riderId.toLowerCase() : null;
  const assignedTo = async (rider: string) => (await riders.activeDeliveries(rider)).filter((d) => d.status === 'assigned').map((d) => d.id);
  for (let attempt = 1; ; attempt++) {
    const outcome = await dataSource.transaction(async (manager) => {
      const locked = id && disabled ? (await assignedTo(id)).sort() : [];
      if (locked.length > 0) await queryPrepared(manager, deliveries.lockManyStatement(locked));
      const rider = id ? await riders.lock(manager, id) : null;
      if (!rider) throw new DomainError('RIDER_NOT_FOUND', `no rider ${riderId}`);
      const changed = (rider.disabledAt !== null) !== disabled;
      const handedBack: string[] = [];
      const result = () => ({ id: rider.id, agencyId: rider.agencyId, name: rider.name, capacity: rider.capacity, disabled, changed, handedBack });
      if (!changed) return result();
      const assigned = disabled ? await assignedTo(rider.id) : [];
      if (assigned.some((delivery) => !locked.includes(delivery))) {
        if (attempt < MAX_ATTEMPTS) throw new AssignedMeanwhile();
        throw new Error(`rider ${rider.id} kept being assigned deliveries while it was being disabled: try again`);
      }
      await riders.update(manager, rider.id, { disabledAt: disabled ? new Date() : null });
      for (const deliveryId of assigned) {
        const delivery = await deliveries.lock(manager, deliveryId);
        if (delivery?.status !== 'assigned' || delivery.riderId !== rider.id) continue;
        await offers.releaseRider(manager, delivery.id, rider.id);
        const pending = await transitions.apply(manager, delivery, 'pending', { type: 'agency', id: rider.agencyId, reason: RIDER_DISABLED });
        await addToOutbox(manager, 'dispatch', ...deliveryStepMessages(pending, 'unassigned', RIDER_DISABLED));
        handedBack.push(delivery.id);
      }
      const actor = { agencyId: rider.agencyId, role: 'owner' as const, operatorId: null, label: audit.label };
      await log.record(manager, actor, disabled ? 'rider.disabled' : 'rider.enabled', rider.id, { name: rider.name, ...(disabled ? { handedBack } : {}) });
      return result();
    }).catch((error: unknown) => {
      if (error instanceof AssignedMeanwhile) return undefined;
      throw error;
    });
    if (outcome) return outcome;
  }
}

/** Rolls a disable back to start again: see setRiderDisabled. */
class AssignedMeanwhile extends Error {}
