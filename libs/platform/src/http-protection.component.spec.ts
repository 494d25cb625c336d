import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Body, Controller, Get, Global, Module, Post, type INestApplication } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '#config';
import { testConfig } from '../../../test/support/config.js';
import { eventually } from '../../../test/support/eventually.js';
import { slowClient, trickleUntilClosed } from '../../../test/support/slow-client.js';
import { startService } from './bootstrap.js';
import { LoadShedder } from './load-shedder.js';
import { ObservabilityModule } from './observability.module.js';
import { PlatformModule } from './platform.module.js';

/** Requests held in progress until the test lets them go. */
let release: () => void = () => undefined;
let held = new Promise<void>((resolve) => (release = resolve));

@Controller()
class SampleController {
  @Post('echo')
  echo(@Body() body: unknown): unknown {
    return body;
  }

  @Get('held')
  async held(): Promise<{ ok: true }> {
    await held;
    return { ok: true };
  }

  @Get('health')
  health(): { status: 'ok' } {
    return { status: 'ok' };
  }
}

/**
 * The limits as dispatch and fee have them: JSON bodies parsed by the framework (order-intake reads its own, see
 * its orders specs), on a service started by startService.
 */
describe('HTTP protection of a service that parses JSON bodies (component)', () => {
  let config: AppConfig;
  let app: INestApplication;
  let base: string;

  beforeAll(async () => {
    config = await testConfig({
      FEE_MAX_IN_FLIGHT: '2',
      HTTP_HEADERS_TIMEOUT_MS: '1000',
      HTTP_REQUEST_TIMEOUT_MS: '1500',
      HTTP_SLOW_CLIENT_MS: '200',
    });
    // Global, as each service's module is: the platform's providers read the configuration.
    @Global()
    @Module({
      imports: [PlatformModule, ObservabilityModule.forService('fee', config)],
      controllers: [SampleController],
      providers: [{ provide: APP_CONFIG, useValue: config }],
      exports: [APP_CONFIG],
    })
    class SampleModule {}
    app = await startService({ service: 'fee', module: { module: SampleModule }, config });
    base = `http://127.0.0.1:${config.httpPorts.fee}`;
  });

  afterAll(async () => {
    release();
    await app?.close();
  });

  it('refuses beyond the bound with 503 OVERLOADED and Retry-After while /health answers, and serves again once there is room', async () => {
    held = new Promise<void>((resolve) => (release = resolve));
    const waiting = [fetch(`${base}/held`), fetch(`${base}/held`)];
    await eventually(async () => (app.get(LoadShedder).inFlight === 2 ? true : undefined), 'two requests in progress');

    const refused = await fetch(`${base}/echo`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"a":1}' });
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toMatch(/^[12]$/);
    expect(await refused.json()).toMatchObject({ error: { code: 'OVERLOADED' } });
    expect((await fetch(`${base}/health`)).status).toBe(200);
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toMatch(/^baecha_http_requests_shed_total\{reason="inFlight",service="fee"\} 1$/m);
    expect(metrics).toMatch(/^baecha_http_requests_in_flight\{service="fee"\} 2$/m);

    release();
    expect((await Promise.all(waiting)).map((r) => r.status)).toEqual([200, 200]);
    const served = await fetch(`${base}/echo`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"a":1}' });
    expect({ status: served.status, body: await served.json() }).toEqual({ status: 201, body: { a: 1 } });
  });

  it('answers a request asking to upgrade (h2c) as a plain one, as Node does with nothing taking upgrades', async () => {
    const client = await slowClient(config.httpPorts.fee, '/health', { method: 'GET', headersOnly: true, contentLength: 0 });
    client.send('Connection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n\r\n');
    await eventually(async () => (client.received.includes('"status":"ok"') ? true : undefined), 'the health answer');
    expect(client.received).toMatch(/^HTTP\/1\.1 200 /);
    client.destroy();
  });

  it('answers a JSON body still trickling in at the request timeout with 408 and closes the connection', async () => {
    const client = await slowClient(config.httpPorts.fee, '/echo', { headers: { 'content-type': 'application/json' }, contentLength: 200, firstBytes: '{"a":' });
    await trickleUntilClosed(client, () => ' ');
    expect(client.received).toMatch(/^HTTP\/1\.1 408 /);
  });

  it('keeps no place among the requests in progress for bodies trickling in, so a newcomer is served beside them', async () => {
    const slow = [
      await slowClient(config.httpPorts.fee, '/echo', { headers: { 'content-type': 'application/json' }, contentLength: 200, firstBytes: '{' }),
      await slowClient(config.httpPorts.fee, '/echo', { headers: { 'content-type': 'application/json' }, contentLength: 200, firstBytes: '{' }),
    ];
    const shedder = app.get(LoadShedder);
    await eventually(async () => (shedder.arrivingSlowly === 2 ? true : undefined), 'both slow requests seen as slow');

    for (let i = 0; i < 3; i++) {
      const served = await fetch(`${base}/echo`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"real":true}' });
      expect(served.status).toBe(201);
    }
    expect(slow.map((client) => client.closed)).toEqual([false, false]);
    // One finishes its body at last: it is answered like any other.
    slow[0].send(`"a":1}${' '.repeat(200 - 7)}`);
    await eventually(async () => (slow[0].received.includes('201') ? true : undefined), 'the slow request answered');
    slow[1].destroy();
  });
});
