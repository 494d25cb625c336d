import { Injectable, Logger } from '@nestjs/common';
import { isUUID } from 'class-validator';
import { randomUUID } from 'node:crypto';
import { DataSource, type EntityManager } from 'typeorm';
import { DomainError, newSecret } from '#platform';
import { AgencyAudit } from '../audit/agency-audit.js';
import { DeliveryOperations } from '../deliveries/delivery-operations.service.js';
import type { RiderEntity } from '../riders/rider.entity.js';
import { RIDER_DISABLED_ENDING, RiderChannel } from '../riders/rider-channel.js';
import { RidersRepository } from '../riders/riders.repository.js';
import type { CreateRiderRequest, EditRiderRequest } from './dto/rider.requests.js';

/** Why a disabled rider's deliveries not yet picked up went back to dispatch. */
export const RIDER_DISABLED = 'the rider was disabled by the agency';

function riderView(rider: Pick<RiderEntity, 'id' | 'name' | 'capacity' | 'disabledAt'>) {
  return { id: rider.id, name: rider.name, capacity: rider.capacity, disabled: rider.disabledAt !== null };
}

/**
 * The agency's hands on its riders: create (the token shown once), edit, disable and enable. Disabling refuses the
 * rider's token from the commit on, closes its sockets, and hands the deliveries it was assigned but had not
 * picked up back to dispatch, which offers them again. Each change is in the audit log with the change.
 */
@Injectable()
export class RiderAdmin {
  private readonly logger = new Logger('riders');

  constructor(
    private readonly dataSource: DataSource,
    private readonly riders: RidersRepository,
    private readonly channel: RiderChannel,
    private readonly operations: DeliveryOperations,
    private readonly audit: AgencyAudit,
  ) {}

  async create(agencyId: string, request: CreateRiderRequest) {
    const rider = { id: randomUUID(), agencyId, name: request.name.trim(), capacity: request.capacity ?? 3, disabledAt: null };
    const token = newSecret('rt_');
    await this.dataSource.transaction(async (manager) => {
      await this.riders.insert({ ...rider, tokenHash: token.hash }, manager);
      await this.audit.record(manager, 'rider.created', rider.id, { name: rider.name, capacity: rider.capacity });
    });
    return { ...riderView(rider), token: token.secret };
  }

  edit(agencyId: string, riderId: string, request: EditRiderRequest) {
    return this.change(agencyId, riderId, async (manager, before) => {
      const changes = { ...(request.name !== undefined ? { name: request.name.trim() } : {}), ...(request.capacity !== undefined ? { capacity: request.capacity } : {}) };
      await this.riders.update(manager, before.id, changes);
      await this.audit.record(manager, 'rider.edited', before.id, { before: { name: before.name, capacity: before.capacity }, after: changes });
      return { ...before, ...changes };
    });
  }

  async disable(agencyId: string, riderId: string) {
    const rider = await this.change(agencyId, riderId, async (manager, before) => {
      if (before.disabledAt) return before;
      const disabledAt = new Date();
      await this.riders.update(manager, before.id, { disabledAt });
      await this.audit.record(manager, 'rider.disabled', before.id, { name: before.name });
      return { ...before, disabledAt };
    });
    const sockets = this.channel.disconnect(rider.id, RIDER_DISABLED_ENDING);
    const handedBack: string[] = [];
    for (const delivery of await this.riders.activeDeliveries(rider.id)) {
      if (delivery.status !== 'assigned') continue;
      await this.operations.unassign(agencyId, delivery.id, { reason: RIDER_DISABLED });
      handedBack.push(delivery.id);
    }
    this.logger.log(`rider ${rider.id} disabled: ${sockets} socket(s) closed, ${handedBack.length} delivery(ies) handed back to dispatch`);
    return { ...rider, handedBack };
  }

  enable(agencyId: string, riderId: string) {
    return this.change(agencyId, riderId, async (manager, before) => {
      if (!before.disabledAt) return before;
      await this.riders.update(manager, before.id, { disabledAt: null });
      await this.audit.record(manager, 'rider.enabled', before.id, { name: before.name });
      return { ...before, disabledAt: null };
    });
  }

  private async change(agencyId: string, riderId: string, step: (manager: EntityManager, before: RiderEntity) => Promise<RiderEntity>) {
    const after = await this.dataSource.transaction(async (manager) => {
      const before = isUUID(riderId) ? await this.riders.lock(manager, riderId.toLowerCase()) : null;
      if (!before || before.agencyId !== agencyId) throw new DomainError('RIDER_NOT_FOUND', `no rider ${riderId} in this agency`);
      return step(manager, before);
    });
    return riderView(after);
  }
}
