import { applyDecorators, Body, Controller, Get, HttpCode, Logger, Param, Post, Query, Res, UseGuards } from '@nestjs/common';
import { validateContract } from '#contracts';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiProduces, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AgencyKeyGuard, ApiErrors, DomainError, schemaRef } from '#platform';
import { DELIVERY_STATUSES } from './delivery-status.js';
import { DISPATCH_DECISION_SCHEMA } from './dispatch-decision.js';
import { DeliveriesService } from './deliveries.service.js';
import { DeliveryOperations } from './delivery-operations.service.js';
import { agencyDeliveryView, transitionView } from './delivery.views.js';
import { deliveriesCsv } from './delivery.csv.js';
import { ListDeliveriesQuery, boardFilter, pageCursor, type BoardFilter } from './dto/list-deliveries.query.js';
import { AssignDeliveryRequest, FailDeliveryRequest, UnassignDeliveryRequest } from './dto/manual-dispatch.request.js';

/**
 * The agency's board and its hands on it (docs/agency-api.md): its deliveries with their waits and steps, and
 * assigning, reassigning, unassigning, holding, failing and cancelling them. Every answer with a delivery is the
 * delivery as it is after the step.
 */
const DELIVERY = {
  description: 'The delivery as the board shows it after the step (docs/agency-api.md)',
  schema: {
    type: 'object',
    required: ['id', 'orderId', 'status'],
    properties: {
      id: { type: 'string', format: 'uuid' },
      orderId: { type: 'string', format: 'uuid' },
      status: { type: 'string', enum: [...DELIVERY_STATUSES] },
      readyAt: { type: ['string', 'null'], format: 'date-time', description: 'When the food is ready; null on orders from before ready times were kept' },
      promisedAt: { type: ['string', 'null'], format: 'date-time', description: 'When the customer was promised it; null if not said' },
      readyChange: { type: ['string', 'null'], enum: ['ready', 'delayed', null], description: 'What the restaurant said since: ready now, or delayed' },
      dispatchDecision: DISPATCH_DECISION_SCHEMA,
    },
  },
};
/** Answers of a step on one delivery. */
const Step = (summary: string, body?: new () => object) =>
  applyDecorators(
    ApiOperation({ summary }),
    ...(body ? [ApiBody({ required: true, schema: schemaRef(body) }), ApiErrors(['VALIDATION_FAILED'])] : []),
    ApiResponse({ status: 200, ...DELIVERY }),
    ApiErrors(['DELIVERY_NOT_FOUND', 'INVALID_TRANSITION']),
  );

/** The board's filters, as the board and its export take them. */
const BoardQueries = () =>
  applyDecorators(
    ApiQuery({ name: 'status', required: false, description: 'Statuses to show, comma-separated or repeated', schema: { type: 'string' } }),
    ApiQuery({ name: 'q', required: false, description: "Text in the order id, the restaurant's order id, the pickup or drop-off address or the rider's name (any case)", schema: { type: 'string', minLength: 1, maxLength: 100 } }),
    ApiQuery({ name: 'limit', required: false, schema: { type: 'integer', minimum: 1, maximum: 200, default: 50 } }),
    ApiQuery({ name: 'phone', required: false, description: "The last 4 digits of the customer's phone", schema: { type: 'string', pattern: '^\\d{4}$' } }),
    ApiQuery({ name: 'restaurantId', required: false, schema: { type: 'string', format: 'uuid' } }),
    ApiQuery({ name: 'riderId', required: false, schema: { type: 'string', format: 'uuid' } }),
    ApiQuery({ name: 'from', required: false, description: 'Created at or after (ISO 8601)', schema: { type: 'string', format: 'date-time' } }),
    ApiQuery({ name: 'to', required: false, description: 'Created before (ISO 8601); after `from` when both are given', schema: { type: 'string', format: 'date-time' } }),
    ApiQuery({ name: 'after', required: false, description: 'The `next` of the page before', schema: { type: 'string' } }),
  );

/** The board's filter from a query string; the global pipe leaves query strings alone, so they are checked here. */
function boardQuery(query: Record<string, unknown>): BoardFilter {
  const filter = validateContract(ListDeliveriesQuery, query);
  if (!filter.ok) throw DomainError.validation(filter.errors);
  const { from, to } = filter.value;
  // A range that ends where or before it starts selects nothing: a mistake the operator should hear about.
  if (from && to && Date.parse(to) <= Date.parse(from)) throw DomainError.validation([{ field: 'to', value: to, reason: `must be after from (${from})` }]);
  return boardFilter(filter.value);
}

@ApiTags('deliveries')
@ApiBearerAuth('agencyKey')
@ApiErrors(['UNAUTHENTICATED', 'AGENCY_NOT_FOUND'])
@Controller('v1/agencies/:agencyId/deliveries')
@UseGuards(AgencyKeyGuard)
export class DeliveriesController {
  private readonly logger = new Logger('deliveries');

  constructor(
    private readonly deliveries: DeliveriesService,
    private readonly operations: DeliveryOperations,
  ) {}

  @Get()
  @ApiOperation({ summary: "The agency's board: its deliveries, newest first, with their waits" })
  @BoardQueries()
  @ApiResponse({ status: 200, description: 'The deliveries', schema: { type: 'object', required: ['deliveries', 'next'], properties: { deliveries: { type: 'array', items: DELIVERY.schema }, next: { type: ['string', 'null'], description: 'Pass as `after` for the next page; null on the last' } } } })
  @ApiErrors(['VALIDATION_FAILED'])
  async list(@Param('agencyId') agencyId: string, @Query() query: Record<string, unknown>) {
    const options = boardQuery(query);
    const rows = await this.operations.board(agencyId.toLowerCase(), options);
    const now = new Date();
    const last = rows.length === options.limit ? rows[rows.length - 1]!.delivery : null;
    return { deliveries: rows.map((row) => agencyDeliveryView(row, now)), next: last ? pageCursor(last) : null };
  }

  @Get('export.csv')
  @BoardQueries()
  @ApiOperation({
    summary: 'Every delivery the filters select (all pages), as CSV for a spreadsheet',
    description: 'UTF-8 with a BOM, CRLF line ends, restaurant and rider names beside their ids, the phone masked as on the board, formula-like text prefixed with `\'`; `limit` and `after` are ignored (docs/agency-api.md#exporting-the-board).',
  })
  @ApiProduces('text/csv')
  @ApiResponse({ status: 200, description: 'The CSV file, streamed', content: { 'text/csv': { schema: { type: 'string' } } } })
  @ApiErrors(['VALIDATION_FAILED'])
  async exportCsv(@Param('agencyId') agencyId: string, @Query() query: Record<string, unknown>, @Res() response: Response): Promise<void> {
    const pages = this.operations.boardPages(agencyId.toLowerCase(), boardQuery(query));
    response.setHeader('Content-Type', 'text/csv; charset=utf-8');
    response.setHeader('Content-Disposition', `attachment; filename="deliveries-${new Date().toISOString().slice(0, 10)}.csv"`);
    try {
      await pipeline(Readable.from(deliveriesCsv(pages)), response);
    } catch (error) {
      // Once the first bytes are out, the status cannot change: the download ends short, and the log says why.
      if (!response.headersSent) throw error;
      this.logger.warn(`board export for agency ${agencyId} ended early: ${(error as Error).message}`);
    }
  }

  @Get(':deliveryId')
  @ApiOperation({ summary: 'One delivery with every step it took' })
  @ApiResponse({ status: 200, ...DELIVERY })
  @ApiErrors(['DELIVERY_NOT_FOUND'])
  async get(@Param('agencyId') agencyId: string, @Param('deliveryId') deliveryId: string) {
    const row = await this.operations.detail(agencyId.toLowerCase(), deliveryId);
    return { ...agencyDeliveryView(row), transitions: row.transitions.map(transitionView) };
  }

  @Post(':deliveryId/assign')
  @Step('Assigns a waiting delivery to one of the agency\'s riders by hand', AssignDeliveryRequest)
  @ApiErrors(['RIDER_NOT_FOUND', 'RIDER_AT_CAPACITY', 'DELIVERY_NOT_PRICED'])
  @HttpCode(200)
  assign(@Param('agencyId') agencyId: string, @Param('deliveryId') deliveryId: string, @Body() body: AssignDeliveryRequest) {
    return this.answer(agencyId, deliveryId, () => this.operations.assign(agencyId.toLowerCase(), deliveryId, body.riderId));
  }

  @Post(':deliveryId/reassign')
  @Step('Gives an assigned delivery to another rider; the first is told', AssignDeliveryRequest)
  @ApiErrors(['RIDER_NOT_FOUND', 'RIDER_AT_CAPACITY'])
  @HttpCode(200)
  reassign(@Param('agencyId') agencyId: string, @Param('deliveryId') deliveryId: string, @Body() body: AssignDeliveryRequest) {
    return this.answer(agencyId, deliveryId, () => this.operations.reassign(agencyId.toLowerCase(), deliveryId, body.riderId, body.reason));
  }

  @Post(':deliveryId/unassign')
  @Step('Takes an assigned delivery back from its rider, optionally holding it from automatic dispatch', UnassignDeliveryRequest)
  @HttpCode(200)
  unassign(@Param('agencyId') agencyId: string, @Param('deliveryId') deliveryId: string, @Body() body: UnassignDeliveryRequest) {
    return this.answer(agencyId, deliveryId, () => this.operations.unassign(agencyId.toLowerCase(), deliveryId, body));
  }

  @Post(':deliveryId/release')
  @Step('Releases a held delivery back to automatic dispatch')
  @HttpCode(200)
  release(@Param('agencyId') agencyId: string, @Param('deliveryId') deliveryId: string) {
    return this.answer(agencyId, deliveryId, () => this.operations.release(agencyId.toLowerCase(), deliveryId));
  }

  @Post(':deliveryId/fail')
  @Step('Marks a delivery under way as failed, with why', FailDeliveryRequest)
  @HttpCode(200)
  fail(@Param('agencyId') agencyId: string, @Param('deliveryId') deliveryId: string, @Body() body: FailDeliveryRequest) {
    return this.answer(agencyId, deliveryId, () => this.operations.failByAgency(agencyId.toLowerCase(), deliveryId, body.reason));
  }

  @Post(':deliveryId/cancel')
  @Step('Calls a delivery off before it is picked up')
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
