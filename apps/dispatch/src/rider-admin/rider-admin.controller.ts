import { Body, Controller, HttpCode, Param, Patch, Post } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { AgencyRoutes, ApiErrors, schemaRef } from '#platform';
import { CreateRiderRequest, EditRiderRequest } from './dto/rider.requests.js';
import { RiderAdmin } from './rider-admin.service.js';

const RIDER = {
  type: 'object',
  required: ['id', 'name', 'capacity', 'disabled'],
  properties: { id: { type: 'string', format: 'uuid' }, name: { type: 'string' }, capacity: { type: 'integer' }, disabled: { type: 'boolean' } },
};
const CHANGED = { status: 200, description: 'The rider after the change', schema: RIDER };

/** The agency's owners create, edit, disable and enable its riders (docs/agency-api.md); the list is `GET …/riders`. */
@ApiTags('riders')
@Controller('v1/agencies/:agencyId/riders')
@AgencyRoutes('owner')
export class RiderAdminController {
  constructor(private readonly riders: RiderAdmin) {}

  @Post()
  @ApiOperation({ summary: 'Creates a rider: its token for the rider app, shown once' })
  @ApiBody({ required: true, schema: schemaRef(CreateRiderRequest) })
  @ApiResponse({ status: 201, description: 'The rider and its token', schema: { ...RIDER, required: [...RIDER.required, 'token'], properties: { ...RIDER.properties, token: { type: 'string' } } } })
  @ApiErrors(['VALIDATION_FAILED'])
  create(@Param('agencyId') agencyId: string, @Body() body: CreateRiderRequest) {
    return this.riders.create(agencyId.toLowerCase(), body);
  }

  @Patch(':riderId')
  @ApiOperation({ summary: "Changes a rider's name or capacity" })
  @ApiBody({ required: true, schema: schemaRef(EditRiderRequest) })
  @ApiResponse(CHANGED)
  @ApiErrors(['VALIDATION_FAILED', 'RIDER_NOT_FOUND'])
  edit(@Param('agencyId') agencyId: string, @Param('riderId') riderId: string, @Body() body: EditRiderRequest) {
    return this.riders.edit(agencyId.toLowerCase(), riderId, body);
  }

  @Post(':riderId/disable')
  @HttpCode(200)
  @ApiOperation({ summary: 'Disables a rider: its token is refused at once, its sockets close, its deliveries not yet picked up go back to dispatch' })
  @ApiResponse({ status: 200, description: 'The rider, and the deliveries handed back', schema: { ...RIDER, properties: { ...RIDER.properties, handedBack: { type: 'array', items: { type: 'string', format: 'uuid' } } } } })
  @ApiErrors(['RIDER_NOT_FOUND'])
  disable(@Param('agencyId') agencyId: string, @Param('riderId') riderId: string) {
    return this.riders.disable(agencyId.toLowerCase(), riderId);
  }

  @Post(':riderId/enable')
  @HttpCode(200)
  @ApiOperation({ summary: 'Enables a disabled rider again: its token works again' })
  @ApiResponse(CHANGED)
  @ApiErrors(['RIDER_NOT_FOUND'])
  enable(@Param('agencyId') agencyId: string, @Param('riderId') riderId: string) {
    return this.riders.enable(agencyId.toLowerCase(), riderId);
  }
}
