import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Global, Module, type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { APP_CONFIG, loadConfig } from '#config';
import { PlatformModule } from '#platform';
import { FeeProxyModule } from './fee-proxy.module.js';

interface Seen {
  method: string;
  url: string;
  authorization?: string;
  accept?: string;
  contentType?: string;
  forwardedFor?: string;
  body: string;
}

/** A stand-in for fee's HTTP API: answers by path, remembers what it was sent. */
class FakeFee {
  readonly seen: Seen[] = [];
  private server?: Server;
  slowMs = 0;

  async start(): Promise<string> {
    this.server = createServer((req, res) => void this.answer(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  stop(): Promise<void> {
    this.server?.closeAllConnections();
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private async answer(req: IncomingMessage, res: import('node:http').ServerResponse): Promise<void> {
    let body = '';
    for await (const chunk of req) body += chunk;
    this.seen.push({ method: req.method!, url: req.url!, authorization: req.headers.authorization, accept: req.headers.accept, contentType: req.headers['content-type'], forwardedFor: req.headers['x-forwarded-for'] as string | undefined, body });
    if (this.slowMs) await new Promise((resolve) => setTimeout(resolve, this.slowMs));
    if (req.url!.startsWith('/v1/agencies/a/tariff') && req.method === 'PUT') {
      res.writeHead(422, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { code: 'TARIFF_INVALID', details: [{ field: 'tariff.surcharges.night.from' }] } }));
      return;
    }
    if (req.url!.startsWith('/v1/agencies/a/adjustments')) {
      res.writeHead(200, { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': 'attachment; filename="a.csv"', 'x-internal': 'no' }).end('quoteId\r\n');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ path: req.url }));
  }
}

async function proxyTo(feeUrl: string, timeoutMs = 5000): Promise<INestApplication> {
  const config = loadConfig({ FEE_URL: feeUrl, FEE_PROXY_TIMEOUT_MS: String(timeoutMs), LOG_LEVEL: 'silent' });
  @Global()
  @Module({ providers: [{ provide: APP_CONFIG, useValue: config }], exports: [APP_CONFIG] })
  class ConfigModule {}
  const moduleRef = await Test.createTestingModule({ imports: [ConfigModule, PlatformModule, FeeProxyModule] }).compile();
  const app = moduleRef.createNestApplication({ logger: false });
  await app.init();
  return app;
}

describe('fee proxy on the dispatch port (component, fake fee)', () => {
  const fee = new FakeFee();
  let app: INestApplication;

  beforeAll(async () => {
    app = await proxyTo(await fee.start(), 300);
  });

  afterAll(async () => {
    await app?.close();
    await fee.stop();
  });

  it('forwards GET with its query and the agency key, and PUT and DELETE with their JSON body, answering what fee answered', async () => {
    const got = await request(app.getHttpServer()).get('/fee/v1/agencies/a/reconciliation?x=1').set('Authorization', 'Bearer ak_1').expect(200);
    expect(got.body).toEqual({ path: '/v1/agencies/a/reconciliation?x=1' });

    const put = await request(app.getHttpServer()).put('/fee/v1/agencies/a/tariff').set('Authorization', 'Bearer ak_1').send({ tariff: { baseFee: 1 } }).expect(422);
    expect(put.body).toEqual({ error: { code: 'TARIFF_INVALID', details: [{ field: 'tariff.surcharges.night.from' }] } });
    await request(app.getHttpServer()).delete('/fee/v1/agencies/a/tariff/weather').set('Authorization', 'Bearer ak_1').expect(200);

    expect(fee.seen.slice(-3)).toEqual([
      expect.objectContaining({ method: 'GET', url: '/v1/agencies/a/reconciliation?x=1', authorization: 'Bearer ak_1', accept: expect.any(String), contentType: undefined, body: '' }),
      expect.objectContaining({ method: 'PUT', url: '/v1/agencies/a/tariff', authorization: 'Bearer ak_1', contentType: 'application/json', body: '{"tariff":{"baseFee":1}}' }),
      expect.objectContaining({ method: 'DELETE', url: '/v1/agencies/a/tariff/weather', authorization: 'Bearer ak_1', body: '' }),
    ]);
  });

  it("tells fee the browser's address, after any X-Forwarded-For it came with, so fee counts key guesses per client", async () => {
    await request(app.getHttpServer()).get('/fee/v1/agencies/a/tariff').set('Authorization', 'Bearer ak_1').expect(200);
    expect(fee.seen.at(-1)?.forwardedFor).toMatch(/^(::ffff:)?127\.0\.0\.1$/);
    await request(app.getHttpServer()).get('/fee/v1/agencies/a/tariff').set('X-Forwarded-For', '203.0.113.9').expect(200);
    expect(fee.seen.at(-1)?.forwardedFor).toMatch(/^203\.0\.113\.9, (::ffff:)?127\.0\.0\.1$/);
  });

  it('passes a CSV attachment back with its headers, and no others', async () => {
    const csv = await request(app.getHttpServer()).get('/fee/v1/agencies/a/adjustments').set('Accept', 'text/csv').expect(200);
    expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(csv.headers['content-disposition']).toBe('attachment; filename="a.csv"');
    expect(csv.headers['x-internal']).toBeUndefined();
    expect(csv.text).toBe('quoteId\r\n');
    expect(fee.seen.at(-1)?.accept).toBe('text/csv');
  });

  it("forwards fee's health, and nothing outside /v1 and /health however the path is spelled", async () => {
    await request(app.getHttpServer()).get('/fee/health').expect(200, { path: '/health' });
    const before = fee.seen.length;
    await request(app.getHttpServer()).get('/fee/v1/%2e%2e/metrics').expect(404);
    await request(app.getHttpServer()).get('/fee/v1/..%2fmetrics').expect(404);
    await request(app.getHttpServer()).get('/fee/metrics').expect(404);
    expect(fee.seen.length).toBe(before);
  });

  it('answers 504 FEE_UNAVAILABLE when fee does not answer in time', async () => {
    fee.slowMs = 1000;
    try {
      const slow = await request(app.getHttpServer()).get('/fee/health').expect(504);
      expect(slow.body).toEqual({ error: { code: 'FEE_UNAVAILABLE', message: expect.stringContaining('300 ms'), details: { reason: 'timeout' } } });
    } finally {
      fee.slowMs = 0;
    }
  });
});

describe('fee proxy with fee down', () => {
  it('answers 502 FEE_UNAVAILABLE', async () => {
    const gone = new FakeFee();
    const url = await gone.start();
    await gone.stop();
    const app = await proxyTo(url);
    try {
      const down = await request(app.getHttpServer()).get('/fee/v1/agencies/a/tariff').set('Authorization', 'Bearer ak_1').expect(502);
      expect(down.body).toEqual({ error: { code: 'FEE_UNAVAILABLE', message: expect.stringContaining('ECONNREFUSED'), details: { reason: 'unreachable' } } });
    } finally {
      await app.close();
    }
  });
});
