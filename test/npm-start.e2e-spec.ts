import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { NO_DELAY_SHEDDING, servicePortsEnv } from './support/config.js';
import { Restaurant, Rider, signedHeaders } from './support/actors.js';
import { eventually } from './support/eventually.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

interface DemoFile {
  intakeUrl: string;
  dispatchUrl: string;
  restaurant: { id: string; webhookSecret: string; apiKey: string };
  riders: Array<{ id: string; token: string }>;
}

/**
 * What a newcomer does: `npm start` with nothing configured. The launcher starts its own embedded PostgreSQL
 * in a fresh data directory, seeds the demo, and runs the three services; the demo file is enough to send an
 * order and ride it.
 */
describe('npm start on a fresh checkout (embedded PostgreSQL, TCP, no keys)', () => {
  let dataDir: string;
  let launcher: ChildProcess;
  let output = '';
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'baecha-start-'));
    const ports = await servicePortsEnv();
    env = { PATH: process.env.PATH, HOME: process.env.HOME, DATA_DIR: dataDir, ...NO_DELAY_SHEDDING, ...ports };
    launcher = spawn(process.execPath, [path.join(root, 'dist/tools/start.js')], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    launcher.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    launcher.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await eventually(
      async () => {
        if (launcher.exitCode !== null) throw new Error(`launcher exited ${launcher.exitCode}:\n${output}`);
        const all = await Promise.all(
          ['INTAKE_PORT', 'DISPATCH_PORT', 'FEE_PORT'].map((p) =>
            fetch(`http://127.0.0.1:${ports[p]}/health`).then((r) => r.status === 200, () => false),
          ),
        );
        return all.every(Boolean) ? true : undefined;
      },
      'the three services to be healthy',
      90_000,
    ).catch((error: Error) => {
      throw new Error(`${error.message}\n${output}`);
    });
  }, 120_000);

  afterAll(async () => {
    if (launcher && launcher.exitCode === null) {
      await new Promise<void>((resolve) => {
        launcher.once('exit', () => resolve());
        launcher.kill('SIGTERM');
      });
    }
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  }, 60_000);

  it('prints the demo tenants and writes them to demo.json', () => {
    expect(existsSync(path.join(dataDir, 'postgres', 'PG_VERSION'))).toBe(true);
    const demo = JSON.parse(readFileSync(path.join(dataDir, 'demo.json'), 'utf8')) as DemoFile;
    expect(demo.riders).toHaveLength(3);
    expect(demo.restaurant.webhookSecret).toMatch(/^whsec_[A-Za-z0-9+/]{32,}={0,2}$/);
    expect(output).toContain(demo.restaurant.id);
    expect(output).toContain(demo.restaurant.webhookSecret);
  });

  it('takes a demo order sent by `npm run order:send`, and a demo rider can take it', async () => {
    const demo = JSON.parse(readFileSync(path.join(dataDir, 'demo.json'), 'utf8')) as DemoFile;
    const rider = await Rider.connect(demo.dispatchUrl, demo.riders[0].token);
    try {
      await expect(rider.ask('location', { lng: 126.979, lat: 37.567 })).resolves.toMatchObject({ ok: true });
      const sent = spawnSync(process.execPath, [path.join(root, 'dist/tools/send-order.js')], { cwd: root, env, encoding: 'utf8' });
      expect({ status: sent.status, stderr: sent.stderr }).toEqual({ status: 0, stderr: expect.any(String) });
      expect(sent.stdout).toContain('202');

      const offer = await eventually(async () => rider.offers[0], 'an offer to the demo rider', 20_000);
      await expect(rider.ask('offer:accept', { offerId: offer.offerId })).resolves.toMatchObject({ ok: true });
      const restaurant = new Restaurant(demo.intakeUrl, { restaurantId: demo.restaurant.id, webhookSecret: demo.restaurant.webhookSecret, apiKey: demo.restaurant.apiKey });
      const orderId = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/.exec(sent.stdout)?.[0];
      expect(orderId).toBeDefined();
      await eventually(async () => ((await restaurant.order(orderId!)).status === 'assigned' ? true : undefined), 'assigned', 20_000);
    } finally {
      rider.disconnect();
    }
  });

  it('restarts a service that crashes', async () => {
    const demo = JSON.parse(readFileSync(path.join(dataDir, 'demo.json'), 'utf8')) as DemoFile;
    const feeLine = output.split('\n').find((line) => line.includes('"service":"fee"') && line.includes('"pid"'));
    const pid = Number(/"pid":(\d+)/.exec(feeLine ?? '')?.[1]);
    expect(pid).toBeGreaterThan(0);
    process.kill(pid, 'SIGKILL');
    await eventually(async () => (output.includes('fee exited') ? true : undefined), 'the launcher to notice', 10_000);
    const feeUrl = demo.intakeUrl.replace(/:\d+$/, `:${env.FEE_PORT}`);
    await eventually(async () => ((await fetch(`${feeUrl}/health`).then((r) => r.status, () => 0)) === 200 ? true : undefined), 'fee back', 20_000);
  });

  it('restarts the embedded PostgreSQL killed with SIGKILL; the services answer 503 meanwhile, recover by themselves and take an order', async () => {
    const demo = JSON.parse(readFileSync(path.join(dataDir, 'demo.json'), 'utf8')) as DemoFile;
    const restaurant = new Restaurant(demo.intakeUrl, { restaurantId: demo.restaurant.id, webhookSecret: demo.restaurant.webhookSecret, apiKey: demo.restaurant.apiKey });
    const postmaster = () => Number(readFileSync(path.join(dataDir, 'postgres', 'postmaster.pid'), 'utf8').split('\n')[0]);
    const killed = postmaster();
    process.kill(killed, 'SIGKILL');

    // Until it is back, an order is refused with 503 and Retry-After, never 500; then it is taken.
    const answers: Array<{ status: number; retryAfter: string | null }> = [];
    const accepted = await eventually(
      async () => {
        const body = JSON.stringify({
          externalOrderId: `pos-${Date.now()}-${answers.length}`,
          dropoff: { address: '서울특별시 종로구 세종대로 172', lng: 126.9769, lat: 37.5759 },
          items: [{ name: '라면', quantity: 1, unitPrice: 5000 }],
          orderAmount: 5000,
        });
        const response = await fetch(`${demo.intakeUrl}/v1/restaurants/${demo.restaurant.id}/orders`, { method: 'POST', headers: signedHeaders(demo.restaurant.webhookSecret, body), body });
        answers.push({ status: response.status, retryAfter: response.headers.get('retry-after') });
        return response.status === 202 ? ((await response.json()) as { orderId: string }) : undefined;
      },
      'an order accepted after the restart',
      60_000,
    );
    for (const answer of answers.slice(0, -1)) expect(answer).toEqual({ status: 503, retryAfter: expect.stringMatching(/^\d+$/) });
    // A backend may still commit an order after its postmaster died (it notices the death a moment later), so the
    // launcher's notice may come after the first answers.
    await eventually(async () => (output.includes(`embedded PostgreSQL (pid ${killed}) killed by SIGKILL: restarting it`) ? true : undefined), 'the death reported');
    await eventually(async () => (output.includes('embedded PostgreSQL restarted') ? true : undefined), 'the restart reported');
    expect(postmaster()).not.toBe(killed);

    const ports = [env.INTAKE_PORT, env.DISPATCH_PORT, env.FEE_PORT];
    for (const port of ports) {
      await eventually(async () => ((await fetch(`http://127.0.0.1:${port}/health`).then((r) => r.status, () => 0)) === 200 ? true : undefined), `health on ${port}`, 30_000);
    }
    // The order went on through the relays to dispatch and fee, and its price came back: every service recovered.
    await eventually(async () => ((await restaurant.order(accepted.orderId)).status !== 'received' ? true : undefined), 'the order priced', 30_000);
  }, 120_000);
});
