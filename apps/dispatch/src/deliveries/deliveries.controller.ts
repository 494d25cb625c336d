import { Body, Controller, Get, HttpCode, Param, Post, Query, UseGuards } from '@nestjs/common';
import { validateContract } from '#contracts';
import { AgencyKeyGuard, DomainError } from '#platform';
import { DeliveriesService } from './deliveries.service.js';
import { DeliveryOperations } from './delivery-operations.service.js';
import { agencyDeliveryView, transitionView } from './delivery.views.js';
import { ListDeliveriesQuery } from './dto/list-deliveries.query.js';
import { AssignDeliveryRequest, FailDeliveryRequest, UnassignDeliveryRequest } from './dto/manual-dispatch.request.js';

/**
 * The agency's board and its hands on it (docs/agency-api.md): its deliveries with their waits and steps, and
 * assigning, reassigning, unassigning, holding, failing and cancelling them. Every answer with a delivery is the
 * delivery as it is after the step.
 */
@Controller('v1/agencies/:agencyId/deliveries')
@UseGuards(AgencyKeyGuard)
export class DeliveriesController {
  constructor(
    private readonly deliveries: DeliveriesService,
    private readonly operations: DeliveryOperations,
  ) {}

  @Get()
  async list(@Param('agencyId') agencyId: string, @Query() query: Record<string, unknown>) {
    // The global pipe leaves query strings alone, so they are checked here.
    const filter = validateContract(ListDeliveriesQuery, query);
    if (!filter.ok) throw DomainError.validation(filter.errors);
    const rows = await this.operations.board(agencyId.toLowerCase(), { statuses: filter.value.status, limit: filter.value.limit ?? 50 });
    const now = new Date();
    return { deliveries: rows.map((row) => agencyDeliveryView(row, now)) };
  }

  @Get(':deliveryId')
  async get(@Param('agencyId') agencyId: string, @Param('deliveryId') deliveryId: string) {
    const row = await this.operations.detail(agencyId.toLowerCase(), deliveryId);
    return { ...agencyDeliveryView(row), transitions: row.transitions.map(transitionView) };
  }

  @Post(':deliveryId/assign')
  @HttpCode(200)
  assign(@Param('agencyId') agencyId: string, @Param('deliveryId') deliveryId: string, @Body() body: AssignDeliveryRequest) {
    return this.answer(agencyId, deliveryId, () => this.operations.assign(agencyId.toLowerCase(), deliveryId, body.riderId));
  }

  @Post(':deliveryId/reassign')
  @HttpCode(200)
  reassign(@Param('agencyId') agencyId: string, @Param('deliveryId') deliveryId: string, @Body() body: AssignDeliveryRequest) {
    return this.answer(agencyId, deliveryId, () => this.operations.reassign(agencyId.toLowerCase(), deliveryId, body.riderId, body.reason));
  }

  @Post(':deliveryId/unassign')
  @HttpCode(200)
  unassign(@Param('agencyId') agencyId: string, @Param('deliveryId') deliveryId: string, @Body() body: UnassignDeliveryRequest) {
    return this.answer(agencyId, deliveryId, () => this.operations.unassign(agencyId.toLowerCase(), deliveryId, body));
  }

  @Post(':deliveryId/release')
  @HttpCode(200)
  release(@Param('agencyId') agencyId: string, @Param('deliveryId') deliveryId: string) {
    return this.answer(agencyId, deliveryId, () => this.operations.release(agencyId.toLowerCase(), deliveryId));
  }

  @Post(':deliveryId/fail')
  @HttpCode(200)
  fail(@Param('agencyId') agencyId: string, @Param('deliveryId') deliveryId: string, @Body() body: FailDeliveryRequest) {
    return this.answer(agencyId, deliveryId, () => this.operations.failByAgency(agencyId.toLowerCase(), deliveryId, body.reason));
  }

  @Post(':deliveryId/cancel')
  @HttpCode(200)
  cancel(@Param('agencyId') agencyId: string, @Param('deliveryId') deliveryId: string) {
    return this.answer(agencyId, deliveryId, () => this.deliveries.cancel(agencyId.toLowerCase(), deliveryId));
  }

  /** Runs the step, then answers the delivery as the board shows it now, with its rider's name and waits. */
  private async answer(agencyId: string, deliveryId: string, step: () => Promise<unknown>) {
    await step();
    return agencyDeliveryView(await this.operations.detail(agencyId.toLowerCase(), deliveryId));
  }
}
