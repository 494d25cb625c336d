import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { AppConfig } from '#config';
import { provisionAgency } from '../apps/dispatch/src/agencies/agencies.provisioning.js';
import { provisionRider } from '../apps/dispatch/src/riders/riders.provisioning.js';
import { provisionRestaurant } from '../apps/order-intake/src/restaurants/restaurants.provisioning.js';
import type { ServiceDataSources } from './service-databases.js';

/** What a newcomer needs to send an order and ride it: written to `.data/demo.json`. */
export interface Demo {
  intakeUrl: string;
  dispatchUrl: string;
  feeUrl: string;
  agency: { id: string; name: string; apiKey: string };
  restaurant: { id: string; name: string; address: string; lng: number; lat: number; webhookSecret: string; apiKey: string };
  riders: Array<{ id: string; name: string; token: string }>;
}

export const demoFile = (config: AppConfig) => process.env.DEMO_FILE ?? path.join(config.dataDir, 'demo.json');

// Seoul City Hall: a restaurant in the middle of Seoul.
const RESTAURANT = { name: '시청앞 김밥', address: '서울특별시 중구 세종대로 110', lng: 126.978, lat: 37.5665 };
const RIDERS = ['김배달', '이라이더', '박퀵'];

/**
 * Returns the demo tenants, creating them the first time. A demo file whose agency is no longer in the
 * database (the data directory was wiped) is replaced.
 */
export async function ensureDemo(config: AppConfig, databases: ServiceDataSources): Promise<{ demo: Demo; created: boolean }> {
  const file = demoFile(config);
  const urls = {
    intakeUrl: `http://127.0.0.1:${config.httpPorts.intake}`,
    dispatchUrl: `http://127.0.0.1:${config.httpPorts.dispatch}`,
    feeUrl: `http://127.0.0.1:${config.httpPorts.fee}`,
  };
  if (existsSync(file)) {
    const demo = JSON.parse(await readFile(file, 'utf8')) as Demo;
    const rows: unknown[] = await databases.dispatch.query('SELECT 1 FROM dispatch.agencies WHERE id = $1', [demo.agency.id]);
    if (rows.length === 1) {
      const current = { ...demo, ...urls };
      await writeFile(file, JSON.stringify(current, null, 2) + '\n', { mode: 0o600 });
      return { demo: current, created: false };
    }
  }
  const agencyName = '배차 데모 대행';
  const agency = await provisionAgency(databases.dispatch, { name: agencyName });
  const restaurant = await provisionRestaurant(databases.intake, { agencyId: agency.agencyId, ...RESTAURANT });
  const riders = [];
  for (const name of RIDERS) {
    const rider = await provisionRider(databases.dispatch, { agencyId: agency.agencyId, name });
    riders.push({ id: rider.riderId, name, token: rider.token });
  }
  const demo: Demo = {
    ...urls,
    agency: { id: agency.agencyId, name: agencyName, apiKey: agency.apiKey },
    restaurant: { id: restaurant.restaurantId, ...RESTAURANT, webhookSecret: restaurant.webhookSecret, apiKey: restaurant.apiKey },
    riders,
  };
  await writeFile(file, JSON.stringify(demo, null, 2) + '\n', { mode: 0o600 });
  return { demo, created: true };
}

/** The demo's ids; its secrets and tokens only when just created (afterwards they stay in the file). */
export function describeDemo(demo: Demo, file: string, withSecrets: boolean): string {
  const secret = (value: string) => (withSecrets ? value : '(in the file)');
  return [
    `demo tenants (${file}):`,
    `  agency      ${demo.agency.id}  API key ${secret(demo.agency.apiKey)}`,
    `  restaurant  ${demo.restaurant.id}  ${demo.restaurant.name}, ${demo.restaurant.address}`,
    `              webhook secret ${secret(demo.restaurant.webhookSecret)}`,
    `              API key        ${secret(demo.restaurant.apiKey)}`,
    ...demo.riders.map((r) => `  rider       ${r.id}  ${r.name}  token ${secret(r.token)}`),
    `rider app:        ${demo.dispatchUrl}/rider   (sign in with a rider token above)`,
    `agency dashboard: ${demo.dispatchUrl}/agency  (agency id and API key above)`,
    `send an order with: npm run order:send`,
    `the agency's tariff: curl -H "Authorization: Bearer <agency API key>" ${demo.feeUrl}/v1/agencies/${demo.agency.id}/tariff (docs/fees.md)`,
  ].join('\n');
}
