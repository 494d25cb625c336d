import { isUUID } from 'class-validator';
import type { DataSource } from 'typeorm';
import { addToOutbox } from '#database';
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

/**
 * Disables or enables a rider from the machine (the admin CLI), audited as `audit.label`. Disabling hands the
 * deliveries the rider was assigned but had not picked up back to dispatch in the same transaction, as the agency's
 * `POST …/riders/{id}/disable` does (status back to pending, the step logged, the restaurant's `unassigned` event
 * in the outbox), so a running dispatch offers them again on its next round. Unknown rider: RIDER_NOT_FOUND.
 * Changing nothing (disabling a disabled rider) is not audited.
 */
export async function setRiderDisabled(dataSource: DataSource, riderId: string, disabled: boolean, audit: { label: string }) {
  const riders = new RidersRepository(dataSource);
  const deliveries = new DeliveriesRepository(dataSource);
  const offers = new DeliveryOperationsRepository(dataSource);
  const log = new AuditLogRepository(dataSource);
  const transitions = new DeliveryTransitions(deliveries, new DeliveryTransitionsRepository(dataSource), new AgencyAudit(log));
  return dataSource.transaction(async (manager) => {
    const rider = isUUID(riderId) ? await riders.lock(manager, riderId.toLowerCase()) : null;
    if (!rider) throw new DomainError('RIDER_NOT_FOUND', `no rider ${riderId}`);
    const changed = (rider.disabledAt !== null) !== disabled;
    const handedBack: string[] = [];
    if (!changed) return { id: rider.id, agencyId: rider.agencyId, name: rider.name, capacity: rider.capacity, disabled, changed, handedBack };
    await riders.update(manager, rider.id, { disabledAt: disabled ? new Date() : null });
    for (const { id } of disabled ? await riders.activeDeliveries(rider.id) : []) {
      const delivery = await deliveries.lock(manager, id);
      if (delivery?.status !== 'assigned' || delivery.riderId !== rider.id) continue;
      await offers.releaseRider(manager, delivery.id, rider.id);
      const pending = await transitions.apply(manager, delivery, 'pending', { type: 'agency', id: rider.agencyId, reason: RIDER_DISABLED });
      await addToOutbox(manager, 'dispatch', ...deliveryStepMessages(pending, 'unassigned', RIDER_DISABLED));
      handedBack.push(delivery.id);
    }
    const actor = { agencyId: rider.agencyId, role: 'owner' as const, operatorId: null, label: audit.label };
    await log.record(manager, actor, disabled ? 'rider.disabled' : 'rider.enabled', rider.id, { name: rider.name, ...(disabled ? { handedBack } : {}) });
    return { id: rider.id, agencyId: rider.agencyId, name: rider.name, capacity: rider.capacity, disabled, changed, handedBack };
  });
}
