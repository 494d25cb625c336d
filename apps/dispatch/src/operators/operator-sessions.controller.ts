import { Body, Controller, Delete, Get, HttpCode, Inject, Post, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { APP_CONFIG, type AppConfig } from '#config';
import { ApiErrors, bearerToken, clientAddress, DomainError, limiterKey, schemaRef, trustProxy, type TrustProxy } from '#platform';
import { AcceptInviteRequest, SignInRequest } from './dto/operator.requests.js';
import { OperatorsService } from './operators.service.js';

const OPERATOR = {
  type: 'object',
  required: ['id', 'email', 'name', 'role', 'disabled'],
  properties: {
    id: { type: 'string', format: 'uuid' },
    email: { type: 'string' },
    name: { type: 'string' },
    role: { type: 'string', enum: ['owner', 'dispatcher', 'viewer'] },
    disabled: { type: 'boolean' },
    createdAt: { type: 'string', format: 'date-time' },
  },
};
export const OPERATOR_SCHEMA = OPERATOR;

/** Signing in and out of the dashboard with an operator's own account, and accepting an invite (docs/agency-api.md). */
@ApiTags('operator sessions')
@Controller('v1')
export class OperatorSessionsController {
  private readonly trust: TrustProxy;

  constructor(
    private readonly operators: OperatorsService,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.trust = trustProxy(config.auth.trustProxy);
  }

  @Post('operator-sessions')
  @ApiOperation({ summary: 'Signs an operator in: a session token for `Authorization: Bearer`, shown once' })
  @ApiBody({ required: true, schema: schemaRef(SignInRequest) })
  @ApiResponse({
    status: 201,
    description: 'The session',
    schema: { type: 'object', required: ['token', 'expiresAt', 'agencyId', 'operator'], properties: { token: { type: 'string' }, expiresAt: { type: 'string', format: 'date-time' }, idleMinutes: { type: 'integer' }, agencyId: { type: 'string', format: 'uuid' }, operator: OPERATOR } },
  })
  @ApiErrors(['VALIDATION_FAILED', 'UNAUTHENTICATED', 'TOO_MANY_ATTEMPTS'])
  signIn(@Body() body: SignInRequest, @Req() request: Request) {
    return this.operators.signIn(body, limiterKey(clientAddress(request, this.trust)));
  }

  @Get('operator-sessions/current')
  @ApiBearerAuth('operatorSession')
  @ApiOperation({ summary: 'Who the session token is signed in as' })
  @ApiResponse({ status: 200, description: 'The operator', schema: { type: 'object', properties: { agencyId: { type: 'string', format: 'uuid' }, operatorId: { type: 'string', format: 'uuid' }, name: { type: 'string' }, email: { type: 'string' }, role: { type: 'string' } } } })
  @ApiErrors(['UNAUTHENTICATED'])
  async current(@Req() request: Request) {
    const session = await this.operators.authenticate(this.token(request));
    if (!session) throw new DomainError('UNAUTHENTICATED', 'unknown, expired or revoked session: sign in again');
    return session;
  }

  @Delete('operator-sessions/current')
  @HttpCode(204)
  @ApiBearerAuth('operatorSession')
  @ApiOperation({ summary: 'Signs out: the session token stops working at once' })
  @ApiResponse({ status: 204, description: 'Signed out' })
  @ApiErrors(['UNAUTHENTICATED'])
  async signOut(@Req() request: Request): Promise<void> {
    await this.operators.signOut(this.token(request));
  }

  @Post('operator-invites/accept')
  @ApiOperation({ summary: "Accepts an invite: makes the invited person's account with the name and password they chose" })
  @ApiBody({ required: true, schema: schemaRef(AcceptInviteRequest) })
  @ApiResponse({ status: 201, description: 'The new account', schema: { type: 'object', properties: { agencyId: { type: 'string', format: 'uuid' }, operator: OPERATOR } } })
  @ApiErrors(['VALIDATION_FAILED', 'INVITE_NOT_FOUND', 'OPERATOR_EXISTS'])
  accept(@Body() body: AcceptInviteRequest) {
    return this.operators.acceptInvite(body);
  }

  private token(request: Request): string {
    const token = bearerToken(request.headers.authorization);
    if (!token) throw new DomainError('UNAUTHENTICATED', 'send the session token as "Authorization: Bearer <token>"');
    return token;
  }
}
