import { Body, Controller, Get, HttpCode, Param, Post, Put } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Actor, AgencyRoutes, ApiErrors, schemaRef, type AgencyActor } from '#platform';
import { ChangeRoleRequest, InviteOperatorRequest } from './dto/operator.requests.js';
import { OPERATOR_SCHEMA } from './operator-sessions.controller.js';
import { OperatorsService } from './operators.service.js';

const OPERATOR = { status: 200, description: 'The operator after the change', schema: OPERATOR_SCHEMA };

/** The agency's people: invited, given a role, disabled, their sessions revoked; owners only (docs/agency-api.md). */
@ApiTags('operators')
@Controller('v1/agencies/:agencyId')
@AgencyRoutes('owner')
export class OperatorsController {
  constructor(private readonly operators: OperatorsService) {}

  @Get('operators')
  @ApiOperation({ summary: "The agency's operators with their roles" })
  @ApiResponse({ status: 200, description: 'The operators', schema: { type: 'object', required: ['operators'], properties: { operators: { type: 'array', items: OPERATOR_SCHEMA } } } })
  list(@Actor() actor: AgencyActor) {
    return this.operators.list(actor.agencyId);
  }

  @Post('operator-invites')
  @ApiOperation({ summary: 'Invites a person by email with a role: a one-time invite token, shown once' })
  @ApiBody({ required: true, schema: schemaRef(InviteOperatorRequest) })
  @ApiResponse({
    status: 201,
    description: 'The invite',
    schema: { type: 'object', required: ['inviteToken', 'expiresAt'], properties: { inviteToken: { type: 'string' }, email: { type: 'string' }, role: { type: 'string' }, expiresAt: { type: 'string', format: 'date-time' }, acceptPath: { type: 'string' } } },
  })
  @ApiErrors(['VALIDATION_FAILED'])
  invite(@Actor() actor: AgencyActor, @Body() body: InviteOperatorRequest) {
    return this.operators.invite(actor, body);
  }

  @Put('operators/:operatorId/role')
  @ApiOperation({ summary: "Changes an operator's role; it applies to their next request" })
  @ApiBody({ required: true, schema: schemaRef(ChangeRoleRequest) })
  @ApiResponse(OPERATOR)
  @ApiErrors(['VALIDATION_FAILED', 'OPERATOR_NOT_FOUND'])
  changeRole(@Actor() actor: AgencyActor, @Param('operatorId') operatorId: string, @Body() body: ChangeRoleRequest) {
    return this.operators.changeRole(actor, operatorId, body.role);
  }

  @Post('operators/:operatorId/disable')
  @HttpCode(200)
  @ApiOperation({ summary: 'Disables an operator: they cannot sign in, and every session they have ends at once' })
  @ApiResponse(OPERATOR)
  @ApiErrors(['OPERATOR_NOT_FOUND'])
  disable(@Actor() actor: AgencyActor, @Param('operatorId') operatorId: string) {
    return this.operators.disable(actor, operatorId);
  }

  @Post('operators/:operatorId/revoke-sessions')
  @HttpCode(200)
  @ApiOperation({ summary: "Ends every session of an operator at once (a lost phone or laptop); they may sign in again" })
  @ApiResponse(OPERATOR)
  @ApiErrors(['OPERATOR_NOT_FOUND'])
  revokeSessions(@Actor() actor: AgencyActor, @Param('operatorId') operatorId: string) {
    return this.operators.revokeSessions(actor, operatorId);
  }
}
