import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { AgencyKeyRotatedEvent, AgencyRegisteredEvent, PATTERNS } from '#contracts';
import { ConsumeEvent } from '#messaging';
import { AgenciesService } from './agencies.service.js';

@Controller()
export class AgenciesConsumer {
  constructor(private readonly agencies: AgenciesService) {}

  @ConsumeEvent(PATTERNS.AGENCY_REGISTERED)
  async registered(@Payload() event: AgencyRegisteredEvent): Promise<{ ok: true }> {
    await this.agencies.register(event);
    return { ok: true };
  }

  @ConsumeEvent(PATTERNS.AGENCY_KEY_ROTATED)
  async keyRotated(@Payload() event: AgencyKeyRotatedEvent): Promise<{ ok: true }> {
    await this.agencies.rotateKey(event);
    return { ok: true };
  }
}
