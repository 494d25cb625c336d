import { Controller, Headers, Inject, Param, Post, Req, Res, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiHeader, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { APP_CONFIG, type AppConfig } from '#config';
import { AgencyKeyGuard, ApiErrors, schemaRef } from '#platform';
import { readRawBody } from '../webhooks/raw-body.js';
import { OrderEntryService } from './order-entry.service.js';

@ApiTags('order entry')
@ApiBearerAuth('agencyKey')
@UseGuards(AgencyKeyGuard)
@Controller('v1/agencies/:agencyId/orders')
export class OrderEntryController {
  constructor(
    private readonly entry: OrderEntryService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Post()
  @ApiOperation({
    summary: "An order entered by the agency's operator for one of its restaurants (a phone order)",
    description: 'Validated and accepted as a webhook order is; a retry with the same `Idempotency-Key` gets the first answer again (docs/agency-api.md#entering-an-order).',
  })
  @ApiHeader({ name: 'Idempotency-Key', required: true, description: '1 to 200 printable ASCII characters, the same on every retry of this order', schema: { type: 'string', maxLength: 200 } })
  @ApiBody({ required: true, schema: schemaRef('EnterOrderRequest') })
  @ApiResponse({
    status: 202,
    description: 'Accepted and stored (or, for a retry, the first answer again)',
    schema: { type: 'object', required: ['orderId', 'status'], properties: { orderId: { type: 'string', format: 'uuid' }, status: { type: 'string', enum: ['received', 'locating'] } } },
  })
  @ApiErrors(['VALIDATION_FAILED', 'INVALID_JSON', 'PAYLOAD_TOO_LARGE', 'UNAUTHENTICATED', 'AGENCY_NOT_FOUND', 'RESTAURANT_DISABLED', 'RESTAURANT_NOT_FOUND', 'ORDER_CONFLICT'])
  async enter(
    @Param('agencyId') agencyId: string,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    const answer = await this.entry.enter(agencyId, idempotencyKey, await readRawBody(request, this.config.intake.maxBodyBytes));
    response.status(answer.status).json(answer.body);
  }
}
