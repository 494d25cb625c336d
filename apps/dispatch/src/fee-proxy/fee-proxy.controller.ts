import { Body, Controller, Delete, Get, Put, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { FeeProxy, FeeUnavailable, type ProxiedRequest } from './fee-proxy.service.js';

/**
 * `/fee/v1/...` and `/fee/health` on the dispatch port, forwarded to the fee service (docs/agency-dashboard.md):
 * fee's answer comes back as it was; fee down or silent is `502`/`504` `FEE_UNAVAILABLE`.
 */
@Controller('fee')
export class FeeProxyController {
  constructor(private readonly proxy: FeeProxy) {}

  @Get('health')
  health(@Req() request: Request, @Res() response: Response): Promise<void> {
    return this.pass('GET', request, response);
  }

  @Get('v1/*path')
  get(@Req() request: Request, @Res() response: Response): Promise<void> {
    return this.pass('GET', request, response);
  }

  /** The body is taken through the contract pipe, which refuses what no reader (nor JSON.stringify) should see. */
  @Put('v1/*path')
  put(@Req() request: Request, @Res() response: Response, @Body() body: unknown): Promise<void> {
    return this.pass('PUT', request, response, body);
  }

  @Delete('v1/*path')
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
        { method, pathAndQuery, authorization: request.headers.authorization, accept: request.headers.accept, body },
        url,
      );
      response.status(answer.status).set(answer.headers).send(answer.body);
    } catch (error) {
      if (!(error instanceof FeeUnavailable)) throw error;
      response.status(error.status).json({ error: { code: 'FEE_UNAVAILABLE', message: error.message, details: { reason: error.reason } } });
    }
  }
}
