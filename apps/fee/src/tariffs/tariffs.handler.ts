import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { FeeTariffRequest, PATTERNS, type FeeTariffChanged } from '#contracts';
import { TariffsService } from './tariffs.service.js';

/**
 * Answers dispatch's `fee.tariff` requests (an operator's session on dispatch's tariff routes) with the same
 * service calls, and so the same rules and refusals, as this service's own tariff routes.
 */
@Controller()
export class TariffsHandler {
  constructor(private readonly tariffs: TariffsService) {}

  @MessagePattern(PATTERNS.FEE_TARIFF)
  async handle(@Payload() request: FeeTariffRequest): Promise<unknown> {
    const { agencyId, action } = request;
    if (action === 'current') return this.tariffs.current(agencyId);
    if (action === 'versions') return this.tariffs.history(agencyId);
    // An agency fee has not learnt of has no tariff: refused as the reads refuse it, before anything is written.
    await this.tariffs.current(agencyId);
    const body: unknown = request.body === undefined ? undefined : JSON.parse(request.body);
    const changed = action === 'replace' ? await this.tariffs.replace(agencyId, body) : await this.tariffs.setWeather(agencyId, action === 'weather-on' ? body : null);
    const previous = await this.tariffs.version(agencyId, changed.version - 1);
    const reply: FeeTariffChanged = { tariff: changed, previous: previous ? { version: previous.version, tariff: previous.tariff } : null };
    return reply;
  }
}
