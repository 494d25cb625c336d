import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { AgencyKeyRotatedEvent, AgencyRegisteredEvent, PATTERNS } from '#contracts';
import { ConsumeEvent } from '#messaging';
import { AgenciesRepository } from './agencies.repository.js';

@Controller()
export class AgenciesConsumer {
  constructor(private readonly agencies: AgenciesRepository) {}

  @ConsumeEvent(PATTERNS.AGENCY_REGISTERED_FOR_INTAKE)
  async registered(@Payload() event: AgencyRegisteredEvent): Promise<{ ok: true }> {
    await this.agencies.register({ id: event.agencyId, apiKeyHash: event.apiKeyHash, registeredAt: new Date(event.occurredAt) });
    return { ok: true };
  }

  @ConsumeEvent(PATTERNS.AGENCY_KEY_ROTATED_FOR_INTAKE)
  async keyRotated(@Payload() event: AgencyKeyRotatedEvent): Promise<{ ok: true }> {
    await this.agencies.rotateKey(event);
    return { ok: true };
  }
}
