import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { randomInt } from 'node:crypto';
import { loadConfig } from '#config';
import { runMain } from '#platform';
import { webhookHeaders } from '../apps/order-intake/src/webhooks/webhook-signature.js';
import type { Demo } from './demo.js';

/**
 * `npm run order:send`: sends one sample order as the demo restaurant, signed per Standard Webhooks, and prints
 * the answer (order id first) and how to follow the order. Reads `.data/demo.json`, or the file in DEMO_FILE.
 */

const MENU = [
  { name: '김치찌개', unitPrice: 9000 },
  { name: '제육볶음', unitPrice: 10000 },
  { name: '참치김밥', unitPrice: 4500 },
  { name: '떡볶이', unitPrice: 5000 },
  { name: '순대', unitPrice: 6000 },
  { name: '콜라 1.25L', unitPrice: 3000 },
];

const COMPASS = ['north', 'north-east', 'east', 'south-east', 'south', 'south-west', 'west', 'north-west'];

/** A point `meters` away from `from` on a compass bearing; flat-earth is plenty at 3 km. */
function offset(from: { lng: number; lat: number }, meters: number, bearingDegrees: number): { lng: number; lat: number } {
  const radians = (bearingDegrees * Math.PI) / 180;
  const metersPerDegreeLat = 111_320;
  const metersPerDegreeLng = metersPerDegreeLat * Math.cos((from.lat * Math.PI) / 180);
  const round = (value: number) => Math.round(value * 1e6) / 1e6;
  return {
    lng: round(from.lng + (meters * Math.sin(radians)) / metersPerDegreeLng),
    lat: round(from.lat + (meters * Math.cos(radians)) / metersPerDegreeLat),
  };
}

function sampleOrder(restaurant: Demo['restaurant']) {
  const meters = randomInt(1000, 3001);
  const bearing = randomInt(0, 360);
  const direction = COMPASS[Math.round(bearing / 45) % 8];
  const items = Array.from({ length: randomInt(1, 4) }, () => ({ ...MENU[randomInt(0, MENU.length)], quantity: randomInt(1, 3) }));
  const stamp = new Date().toISOString().replace(/\D/g, '').slice(2, 14);
  return {
    order: {
      externalOrderId: `demo-${stamp}-${randomInt(1000, 10000)}`,
      dropoff: {
        address: `${restaurant.address} 인근 데모 배달지 (${(meters / 1000).toFixed(1)} km ${direction})`,
        ...offset(restaurant, meters, bearing),
        detail: `${randomInt(1, 16)}층 ${randomInt(1, 9)}0${randomInt(1, 9)}호`,
      },
      customer: { phone: `010-${randomInt(1000, 10000)}-${randomInt(1000, 10000)}` },
      items: items.map(({ name, quantity, unitPrice }) => ({ name, quantity, unitPrice })),
      orderAmount: items.reduce((sum, item) => sum + item.quantity * item.unitPrice, 0),
      note: '문 앞에 놓아주세요',
    },
    meters,
    direction,
  };
}

runMain(async () => {
  const file = process.env.DEMO_FILE ?? path.join(loadConfig().dataDir, 'demo.json');
  const demo = JSON.parse(
    await readFile(file, 'utf8').catch(() => {
      throw new Error(`${file} not found: run \`npm start\` first, it creates the demo tenants (or set DEMO_FILE)`);
    }),
  ) as Demo;
  const { restaurant } = demo;
  const { order, meters, direction } = sampleOrder(restaurant);
  const body = JSON.stringify(order);
  const url = `${demo.intakeUrl}/v1/restaurants/${restaurant.id}/orders`;

  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...webhookHeaders(restaurant.webhookSecret, body) },
    body,
  }).catch((error: unknown) => {
    throw new Error(`order-intake did not answer at ${demo.intakeUrl} (is \`npm start\` running?): ${(error as Error).message}`);
  });
  const text = await response.text();
  // The answer comes first: its order id is the first id printed.
  console.log(`${response.status} ${response.statusText} ${text}`);
  if (!response.ok) {
    process.exitCode = 1;
    return;
  }
  const { orderId } = JSON.parse(text) as { orderId: string };
  const won = new Intl.NumberFormat('ko-KR').format(order.orderAmount);
  console.log(
    [
      `sent ${order.externalOrderId} as ${restaurant.name}: ${order.items.length} item(s), ${won}원, dropoff ${(meters / 1000).toFixed(1)} km ${direction}`,
      `follow it:`,
      `  curl -s -H 'Authorization: Bearer ${restaurant.apiKey}' ${url}/${orderId}`,
    ].join('\n'),
  );
});
