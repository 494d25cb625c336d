import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { DataSource } from 'typeorm';
import { PATTERNS, RestaurantChangedEvent } from '#contracts';
import { claimInboxEvent } from '#database';
import { ConsumeEvent } from '#messaging';
import { AuditLogRepository } from '../audit/audit-log.repository.js';

/** Writes each change order-intake made to a restaurant by hand into the agency's audit log, once per event. */
@Controller()
export class RestaurantAuditConsumer {
  constructor(
    private readonly dataSource: DataSource,
    private readonly audit: AuditLogRepository,
  ) {}

  @ConsumeEvent(PATTERNS.RESTAURANT_CHANGED)
  async changed(@Payload() event: RestaurantChangedEvent): Promise<{ ok: true }> {
    await this.dataSource.transaction(async (manager) => {
      if (!(await claimInboxEvent(manager, 'dispatch', event.eventId, PATTERNS.RESTAURANT_CHANGED))) return;
      const actor = { agencyId: event.agencyId, role: 'owner' as const, operatorId: event.actor.operatorId, label: event.actor.label };
      await this.audit.record(manager, actor, event.change, event.restaurantId, event.details, new Date(event.occurredAt));
    });
    return { ok: true };
  }
}
