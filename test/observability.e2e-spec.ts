import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Rider } from './support/actors.js';
import { eventually, startStack, type Stack, type Tenants } from './support/stack.js';

type LogLine = Record<string, unknown> & { msg?: string };

/** The JSON lines a service wrote to stdout (anything else, such as a stack trace, is skipped). */
function lines(stack: Stack, service: 'intake' | 'dispatch' | 'fee'): LogLine[] {
  return stack
    .logs(service)
    .split('\n')
    .flatMap((line) => {
      try {
        const parsed = JSON.parse(line) as unknown;
        return typeof parsed === 'object' && parsed !== null ? [parsed as LogLine] : [];
      } catch {
        return [];
      }
    });
}

/** One metric's value as the service's /metrics shows it, for the series whose labels include `labels`. */
async function metric(stack: Stack, service: 'intake' | 'dispatch' | 'fee', name: string, labels: Record<string, string> = {}): Promise<number | undefined> {
  const text = await (await fetch(`${stack.url(service)}/metrics`)).text();
  for (const line of text.split('\n')) {
    const match = /^([a-z_]+)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const series = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([key, value]) => series[key] === value)) return Number(match[3]);
  }
  return undefined;
}

describe('observability across the three services (system)', () => {
  let stack: Stack;
  let tenants: Tenants;

  beforeAll(async () => {
    stack = await startStack({ transport: 'tcp' });
    tenants = await stack.tenants('관측 대행', ['관측 라이더']);
  }, 120_000);

  afterAll(async () => stack?.stop());

  it('follows one order by its id through every service, from the webhook to its last status, with the webhook request id', async () => {
    const rider = await Rider.connect(stack.url('dispatch'), tenants.riders[0]!.token);
    try {
      await rider.ask('location', { lng: 126.9785, lat: 37.567 });
      const requestId = `pos-req-${Date.now()}`;
      const sent = await tenants.restaurant.send({ customer: { phone: '010-1234-5678' } }, { 'x-request-id': requestId });
      expect(sent.status).toBe(202);
      expect(sent.headers.get('x-request-id')).toBe(requestId);
      const { orderId } = sent.body;
      const offer = await eventually(async () => rider.offers[0], 'an offer', 20_000);
      const { deliveryId } = offer;
      await expect(rider.ask('offer:accept', { offerId: offer.offerId })).resolves.toMatchObject({ ok: true });
      await expect(rider.ask('delivery:pickedUp', { deliveryId })).resolves.toMatchObject({ ok: true });
      await expect(rider.ask('delivery:delivered', { deliveryId })).resolves.toMatchObject({ ok: true });
      await eventually(async () => ((await tenants.restaurant.order(orderId)).status === 'delivered' ? true : undefined), 'the order delivered', 20_000);

      const about = (service: 'intake' | 'dispatch' | 'fee') => lines(stack, service).filter((line) => line.orderId === orderId);
      // Intake: the accepted order on its webhook request's line, then every status dispatch sent back.
      const intake = await eventually(async () => {
        const found = about('intake');
        return found.some((line) => line.status === 'delivered') ? found : undefined;
      }, "intake's line about the delivered status");
      expect(intake.find((line) => line.msg === 'order received')).toMatchObject({ requestId, customerPhone: '***-****-5678' });
      expect(intake.filter((line) => line.deliveryId === deliveryId).map((line) => line.status)).toEqual(['quoted', 'assigned', 'picked_up', 'delivered']);

      // Dispatch: created (carrying the webhook request's id across the outbox), offered, assigned, picked up, delivered.
      const dispatch = about('dispatch');
      expect(dispatch.every((line) => line.deliveryId === deliveryId)).toBe(true);
      expect(dispatch.find((line) => /created for order/.test(String(line.msg)))).toMatchObject({ correlationId: requestId });
      for (const step of ['offered', 'assigned to rider', 'picked_up by rider', 'delivered by rider']) {
        expect({ step, logged: dispatch.some((line) => String(line.msg).includes(step)) }).toEqual({ step, logged: true });
      }

      // Fee: the delivery's charge at each stage.
      const fee = await eventually(async () => {
        const found = about('fee');
        return found.some((line) => String(line.msg).includes('delivered')) ? found : undefined;
      }, "fee's line about the delivered charge");
      expect(fee.every((line) => line.deliveryId === deliveryId)).toBe(true);

      // No phone number or address in full, anywhere.
      for (const service of ['intake', 'dispatch', 'fee'] as const) {
        expect(stack.logs(service)).not.toContain('010-1234-5678');
        expect(stack.logs(service)).not.toContain('세종대로 172');
      }
    } finally {
      rider.disconnect();
    }
  });

  it('exports each service’s metrics, the relays included, and counts what the order did', async () => {
    expect(await metric(stack, 'intake', 'baecha_intake_orders_total', { outcome: 'accepted' })).toBeGreaterThanOrEqual(1);
    expect(await metric(stack, 'intake', 'baecha_outbox_events_relayed_total', { pattern: 'order.created' })).toBeGreaterThanOrEqual(1);
    expect(await metric(stack, 'intake', 'baecha_intake_callbacks_backlog', { state: 'undeliverable' })).toBe(0);
    expect(await metric(stack, 'dispatch', 'baecha_dispatch_offers_made_total', { policy: 'sequential' })).toBeGreaterThanOrEqual(1);
    expect(await metric(stack, 'dispatch', 'baecha_dispatch_offers_accepted_total')).toBeGreaterThanOrEqual(1);
    expect(await metric(stack, 'dispatch', 'baecha_dispatch_order_to_offer_seconds_count')).toBeGreaterThanOrEqual(1);
    expect(await metric(stack, 'dispatch', 'baecha_outbox_events_relayed_total', { pattern: 'delivery.status-changed' })).toBeGreaterThanOrEqual(4);
    expect(await metric(stack, 'dispatch', 'baecha_outbox_backlog_events')).toBe(0);
    expect(await metric(stack, 'dispatch', 'baecha_dispatch_planning_rounds_total', { outcome: 'ok' })).toBeGreaterThanOrEqual(1);
    expect(await metric(stack, 'fee', 'baecha_map_requests_total', { provider: 'turf', outcome: 'ok' })).toBeGreaterThanOrEqual(1);
    expect(await metric(stack, 'fee', 'process_resident_memory_bytes')).toBeGreaterThan(0);
  });

  it('keeps a caller’s sane request id and replaces one that is not', async () => {
    const kept = await fetch(`${stack.url('fee')}/health`, { headers: { 'x-request-id': 'lb-7f3a:12' } });
    expect(kept.headers.get('x-request-id')).toBe('lb-7f3a:12');
    const replaced = await fetch(`${stack.url('fee')}/health`, { headers: { 'x-request-id': 'evil"id with spaces' } });
    expect(replaced.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });
});
