import { Controller, Get, HttpCode, Param, Post, Query, UseGuards } from '@nestjs/common';
import { validateContract } from '#contracts';
import { AgencyKeyGuard, DomainError } from '#platform';
import { DeliveriesService } from './deliveries.service.js';
import { agencyDeliveryView } from './delivery.views.js';
import { ListDeliveriesQuery } from './dto/list-deliveries.query.js';

/** The agency's board: its deliveries, and cancelling one before it is picked up. */
@Controller('v1/agencies/:agencyId/deliveries')
@UseGuards(AgencyKeyGuard)
export class DeliveriesController {
  constructor(private readonly deliveries: DeliveriesService) {}

  @Get()
  async list(@Param('agencyId') agencyId: string, @Query() query: Record<string, unknown>) {
    // The global pipe leaves query strings alone, so they are checked here.
    const filter = validateContract(ListDeliveriesQuery, query);
    if (!filter.ok) throw DomainError.validation(filter.errors);
    const rows = await this.deliveries.listForAgency(agencyId.toLowerCase(), { status: filter.value.status, limit: filter.value.limit ?? 50 });
    return { deliveries: rows.map(({ delivery, riderName }) => agencyDeliveryView(delivery, riderName)) };
  }

  @Post(':deliveryId/cancel')
  @HttpCode(200)
  async cancel(@Param('agencyId') agencyId: string, @Param('deliveryId') deliveryId: string) {
    return agencyDeliveryView(await this.deliveries.cancel(agencyId.toLowerCase(), deliveryId));
  }
}
