import { applyDecorators, Body, Controller, Delete, Get, Put, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { FeeProxy, FeeUnavailable, type ProxiedRequest } from './fee-proxy.service.js';

/**
 * `/fee/v1/...` and `/fee/health` on the dispatch port, forwarded to the fee service (docs/agency-dashboard.md):
 * fee's answer comes back as it was; fee down or silent is `502`/`504` `FEE_UNAVAILABLE`.
 */
/** A forwarded call: fee's own answer, or fee unreachable. */
const Forwarded = (summary: string) =>
  applyDecorators(
    ApiOperation({ summary, description: "Forwarded to fee with its Authorization header; fee's answer comes back as it was (see fee's own document, /docs on fee)." }),
    ApiResponse({ status: 200, description: "Fee's answer; any other status fee gave is passed on as well" }),
    ApiResponse({ status: 502, description: 'FEE_UNAVAILABLE: fee could not be reached', schema: PROXY_ERROR }),
    ApiResponse({ status: 504, description: 'FEE_UNAVAILABLE: fee did not answer within FEE_PROXY_TIMEOUT_MS', schema: PROXY_ERROR }),
  );
const PROXY_ERROR = {
  type: 'object',
  properties: { error: { type: 'object', properties: { code: { const: 'FEE_UNAVAILABLE' }, message: { type: 'string' }, details: { type: 'object', properties: { reason: { type: 'string' } } } } } },
};

@ApiTags('fee (forwarded)')
@ApiBearerAuth('agencyKey')
@Controller('fee')
export class FeeProxyController {
  constructor(private readonly proxy: FeeProxy) {}

  @Get('health')
  @Forwarded("Fee's health, with its map providers' breakers")
  health(@Req() request: Request, @Res() response: Response): Promise<void> {
    return this.pass('GET', request, response);
  }

  @Get('v1/*path')
  @Forwarded("A GET of fee's API: /fee/v1/... is fee's /v1/...")
  get(@Req() request: Request, @Res() response: Response): Promise<void> {
    return this.pass('GET', request, response);
  }

  /** The body is taken through the contract pipe, which refuses what no reader (nor JSON.stringify) should see. */
  @Put('v1/*path')
  @Forwarded("A PUT of fee's API: /fee/v1/... is fee's /v1/...")
  put(@Req() request: Request, @Res() response: Response, @Body() body: unknown): Promise<void> {
    return this.pass('PUT', request, response, body);
  }

  @Delete('v1/*path')
  @Forwarded("A DELETE of fee's API: /fee/v1/... is fee's /v1/...")
  delete(@Req() request: Request, @Res() response: Response): Promise<void> {
    return this.pass('DELETE', request, response);
  }

  private async pass(method: ProxiedRequest['method'], request: Request, response: Response, body?: unknown): Promise<void> {
    const pathAndQuery = request.originalUrl.slice('/fee'.length);
    const url = this.proxy.target(pathAndQuery);
    if (!url) {
      response.status(404).json({ error: { code: 'NOT_FOUND', message: `the fee proxy forwards /fee/v1/... and /fee/health only` } });
      return;
    }
    try {
      const answer = await this.proxy.forward(
        {
          method,
          pathAndQuery,
          authorization: request.headers.authorization,
          accept: request.headers.accept,
          forwardedFor: [request.headers['x-forwarded-for'], request.socket.remoteAddress].filter(Boolean).join(', '),
          body,
        },
        url,
      );
      response.status(answer.status).set(answer.headers).send(answer.body);
    } catch (error) {
      if (!(error instanceof FeeUnavailable)) throw error;
      response.status(error.status).json({ error: { code: 'FEE_UNAVAILABLE', message: error.message, details: { reason: error.reason } } });
    }
  }
}
