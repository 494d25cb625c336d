import { Body, Controller, Get, HttpCode, Param, Patch, Post } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { AgencyRoutes, ApiErrors, RequiresRole } from '#platform';
import { AgencyRestaurants } from './agency-restaurants.service.js';

const FIELDS = {
  name: { type: 'string', minLength: 1, maxLength: 100 },
  address: { type: 'string', minLength: 1, maxLength: 300, description: 'Where riders pick orders up' },
  lng: { type: 'number', minimum: -180, maximum: 240 },
  lat: { type: 'number', minimum: -90, maximum: 90 },
  callbackUrl: { type: ['string', 'null'], format: 'uri', description: 'Where its signed status callbacks go (a public http(s) URL); null: none' },
  defaultCookingMinutes: { type: ['integer', 'null'], minimum: 0, maximum: 240, description: 'Its usual cooking time; null: the service default' },
};
const RESTAURANT = {
  type: 'object',
  required: ['id', 'name', 'address', 'lng', 'lat', 'callbackUrl', 'defaultCookingMinutes', 'disabled', 'disabledAt', 'createdAt'],
  properties: {
    id: { type: 'string', format: 'uuid' },
    ...FIELDS,
    disabled: { type: 'boolean' },
    disabledAt: { type: ['string', 'null'], format: 'date-time' },
    createdAt: { type: 'string', format: 'date-time' },
  },
};
const CHANGED = { status: 200, description: 'The restaurant after the change', schema: RESTAURANT };
const INTAKE_ERRORS = ['UPSTREAM_UNAVAILABLE'] as const;

/**
 * The agency's restaurants (docs/agency-api.md#managing-restaurants). Order-intake keeps them; these routes pass
 * each request on with who makes it, so operators reach them with their session as they reach riders.
 */
@ApiTags('restaurants')
@Controller('v1/agencies/:agencyId/restaurants')
@AgencyRoutes('owner')
export class RestaurantsController {
  constructor(private readonly restaurants: AgencyRestaurants) {}

  @Get()
  @RequiresRole('viewer')
  @ApiOperation({ summary: "The agency's restaurants by name, enabled or not (no secrets)" })
  @ApiResponse({ status: 200, description: 'The restaurants', schema: { type: 'object', required: ['restaurants'], properties: { restaurants: { type: 'array', items: RESTAURANT } } } })
  @ApiErrors([...INTAKE_ERRORS])
  list(@Param('agencyId') agencyId: string) {
    return this.restaurants.ask(agencyId.toLowerCase(), 'list');
  }

  @Post()
  @ApiOperation({ summary: 'Registers a restaurant: its webhook secret and API key, shown once' })
  @ApiBody({ required: true, schema: { type: 'object', required: ['name', 'address', 'lng', 'lat'], properties: FIELDS } })
  @ApiResponse({
    status: 201,
    description: 'The restaurant with its credentials',
    schema: { ...RESTAURANT, required: [...RESTAURANT.required, 'webhookSecret', 'apiKey'], properties: { ...RESTAURANT.properties, webhookSecret: { type: 'string' }, apiKey: { type: 'string' } } },
  })
  @ApiErrors(['VALIDATION_FAILED', ...INTAKE_ERRORS])
  create(@Param('agencyId') agencyId: string, @Body() body: Record<string, unknown>) {
    return this.restaurants.ask(agencyId.toLowerCase(), 'create', { fields: body });
  }

  @Patch(':restaurantId')
  @ApiOperation({ summary: "Changes a restaurant's name, address, location, callback URL or cooking time" })
  @ApiBody({ required: true, schema: { type: 'object', properties: FIELDS } })
  @ApiResponse(CHANGED)
  @ApiErrors(['VALIDATION_FAILED', 'RESTAURANT_NOT_FOUND', ...INTAKE_ERRORS])
  edit(@Param('agencyId') agencyId: string, @Param('restaurantId') restaurantId: string, @Body() body: Record<string, unknown>) {
    return this.restaurants.ask(agencyId.toLowerCase(), 'edit', { restaurantId, fields: body });
  }

  @Post(':restaurantId/disable')
  @HttpCode(200)
  @ApiOperation({ summary: 'Disables a restaurant: its webhooks and API key are refused (403 RESTAURANT_DISABLED) until it is enabled' })
  @ApiResponse(CHANGED)
  @ApiErrors(['RESTAURANT_NOT_FOUND', ...INTAKE_ERRORS])
  disable(@Param('agencyId') agencyId: string, @Param('restaurantId') restaurantId: string) {
    return this.restaurants.ask(agencyId.toLowerCase(), 'disable', { restaurantId });
  }

  @Post(':restaurantId/enable')
  @HttpCode(200)
  @ApiOperation({ summary: 'Enables a disabled restaurant: its webhooks and API key work again' })
  @ApiResponse(CHANGED)
  @ApiErrors(['RESTAURANT_NOT_FOUND', ...INTAKE_ERRORS])
  enable(@Param('agencyId') agencyId: string, @Param('restaurantId') restaurantId: string) {
    return this.restaurants.ask(agencyId.toLowerCase(), 'enable', { restaurantId });
  }
}
