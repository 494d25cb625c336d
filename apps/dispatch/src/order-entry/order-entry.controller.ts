import { Body, Controller, Get, Headers, HttpCode, Post } from '@nestjs/common';
import { ApiBody, ApiHeader, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { FeeGeocode, FeeGeocodeRequest } from '#contracts';
import { Actor, AgencyRoutes, ApiErrors, RequiresRole, schemaRef, type AgencyActor } from '#platform';
import { OrderEntryService } from './order-entry.service.js';

const RESTAURANT = {
  type: 'object',
  required: ['id', 'name', 'address', 'lng', 'lat'],
  properties: { id: { type: 'string', format: 'uuid' }, name: { type: 'string' }, address: { type: 'string' }, lng: { type: 'number' }, lat: { type: 'number' } },
};

/**
 * The order's fields as order-intake's `EnterOrderRequest` has them; intake validates each (its document, and
 * docs/webhooks.md#the-order, give the rules), so dispatch describes only their shape.
 */
const ENTERED_ORDER = {
  type: 'object',
  description: "order-intake's EnterOrderRequest: a webhook order (docs/webhooks.md#the-order) plus restaurantId; validated by intake",
  required: ['restaurantId', 'externalOrderId', 'dropoff', 'items', 'orderAmount'],
  properties: {
    restaurantId: { type: 'string', format: 'uuid' },
    externalOrderId: { type: 'string' },
    dropoff: { type: 'object', properties: { address: { type: 'string' }, lng: { type: 'number' }, lat: { type: 'number' }, detail: { type: 'string' } } },
    customer: { type: 'object', properties: { phone: { type: 'string' } } },
    items: { type: 'array', items: { type: 'object', properties: { name: { type: 'string' }, quantity: { type: 'integer' }, unitPrice: { type: 'integer' } } } },
    orderAmount: { type: 'integer' },
    note: { type: 'string' },
    payment: { type: 'object', properties: { method: { type: 'string', enum: ['prepaid', 'cash', 'card'] }, collectAmount: { type: 'integer' } } },
    cookingMinutes: { type: 'integer' },
    readyAt: { type: 'string', format: 'date-time' },
    promisedMinutes: { type: 'integer' },
    promisedAt: { type: 'string', format: 'date-time' },
  },
};

/** Orders entered by hand on the dashboard, forwarded to order-intake (docs/agency-api.md#entering-an-order). */
@ApiTags('order entry')
@Controller('v1/agencies/:agencyId')
@AgencyRoutes()
export class OrderEntryController {
  constructor(private readonly entry: OrderEntryService) {}

  @Post('orders')
  @HttpCode(202)
  @ApiOperation({
    summary: 'An order entered by hand for one of the agency\'s restaurants, forwarded to order-intake (dispatcher)',
    description: "Exactly order-intake's `POST /v1/agencies/{agencyId}/orders`: same body, rules, answers and idempotency; marked as entered by the operator and recorded in the audit log.",
  })
  @ApiHeader({ name: 'Idempotency-Key', required: true, description: '1 to 200 printable ASCII characters, the same on every retry of this order', schema: { type: 'string', maxLength: 200 } })
  @ApiBody({ required: true, schema: ENTERED_ORDER })
  @ApiResponse({
    status: 202,
    description: 'Accepted and stored by order-intake (or, for a retry, the first answer again)',
    schema: { type: 'object', required: ['orderId', 'status'], properties: { orderId: { type: 'string', format: 'uuid' }, status: { type: 'string', enum: ['received', 'locating'] } } },
  })
  @ApiErrors(['VALIDATION_FAILED', 'INVALID_JSON', 'PAYLOAD_TOO_LARGE', 'RESTAURANT_NOT_FOUND', 'ORDER_CONFLICT', 'UPSTREAM_UNAVAILABLE'])
  async enter(@Actor() actor: AgencyActor, @Headers('idempotency-key') idempotencyKey: string | undefined, @Body() order: unknown) {
    return (await this.entry.enter(actor, idempotencyKey, order)).body;
  }

  @Get('order-entry/restaurants')
  @ApiOperation({ summary: "The agency's restaurants to enter an order for, by name, with their pickup point" })
  @ApiResponse({ status: 200, description: 'The restaurants', schema: { type: 'object', required: ['restaurants'], properties: { restaurants: { type: 'array', items: RESTAURANT } } } })
  @ApiErrors(['UPSTREAM_UNAVAILABLE'])
  restaurants(@Actor() actor: AgencyActor) {
    return this.entry.restaurants(actor.agencyId);
  }

  @Post('order-entry/geocode')
  @HttpCode(200)
  @RequiresRole('dispatcher')
  @ApiOperation({ summary: "An address's point through fee's geocode chain, saying which provider placed it (dispatcher)" })
  @ApiBody({ required: true, schema: schemaRef(FeeGeocodeRequest) })
  @ApiResponse({ status: 200, description: 'The point, with who placed it and what was tried', schema: schemaRef(FeeGeocode) })
  @ApiErrors(['VALIDATION_FAILED', 'ADDRESS_NOT_FOUND', 'UPSTREAM_UNAVAILABLE'])
  geocode(@Body() request: FeeGeocodeRequest) {
    return this.entry.geocode(request);
  }
}
