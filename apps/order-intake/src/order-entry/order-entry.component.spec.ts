import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { ClientProxyFactory, type ClientProxy } from '@nestjs/microservices';
import { randomUUID } from 'node:crypto';
import { lastValueFrom } from 'rxjs';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { OrderCreatedEvent, PATTERNS, validateContract, type AgencyRegisteredEvent } from '#contracts';
import { clientOptions } from '#messaging';
import { hashSecret, newSecret, startService } from '#platform';
import { createTestDatabase, queryRows } from '../../../../test/support/database.js';
import { testConfig } from '../../../../test/support/config.js';
import { orderBody, storedCounts } from '../../test/intake-harness.js';
import { IntakeModule } from '../intake.module.js';
import { provisionRestaurant, type ProvisionedRestaurant } from '../restaurants/restaurants.provisioning.js';

const RESTAURANT = { name: '을지로 칼국수', address: '서울 중구 을지로 100', lng: 126.9882, lat: 37.5662 };

interface Agency {
  agencyId: string;
  authorization: string;
}

/**
 * Orders an agency's operator enters by hand, on the real intake module and PostgreSQL: the agency learns its key
 * from dispatch's announcement, the order goes the webhook's way (one order and one `order.created` per key),
 * marked as entered by an operator, and the restaurant reads it as its own.
 */
describe('orders entered by an agency (component, real PostgreSQL)', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let app: INestApplication;
  let client: ClientProxy;
  let agency: Agency;
  let otherAgency: Agency;
  let restaurant: ProvisionedRestaurant;
  let othersRestaurant: ProvisionedRestaurant;

  /** Announces an agency to intake the way dispatch does, by its event over the message transport. */
  async function announceAgency(): Promise<Agency> {
    const { secret } = newSecret('ak_');
    const event: AgencyRegisteredEvent = { eventId: randomUUID(), occurredAt: new Date().toISOString(), agencyId: randomUUID(), name: '상황실', apiKeyHash: hashSecret(secret) };
    await lastValueFrom(client.send(PATTERNS.AGENCY_REGISTERED_FOR_INTAKE, event));
    return { agencyId: event.agencyId, authorization: `Bearer ${secret}` };
  }

  function enter(body: unknown, options: { as?: Agency; path?: string; key?: string | null } = {}) {
    const as = options.as ?? agency;
    const call = request(app.getHttpServer())
      .post(`/v1/agencies/${options.path ?? as.agencyId}/orders`)
      .set('authorization', as.authorization)
      .set('content-type', 'application/json');
    if (options.key !== null) call.set('idempotency-key', options.key ?? randomUUID());
    return call.send(JSON.stringify(body));
  }

  const phoneOrder = (overrides: Record<string, unknown> = {}) =>
    orderBody({ restaurantId: restaurant.restaurantId, cookingMinutes: 15, promisedMinutes: 45, payment: { method: 'cash', collectAmount: 28000 }, ...overrides });

  const counts = () => storedCounts(db.url);

  async function expectNothingStored(run: () => Promise<unknown>): Promise<void> {
    const before = await counts();
    await run();
    expect(await counts()).toEqual(before);
  }

  beforeAll(async () => {
    db = await createTestDatabase();
    const config = await testConfig();
    app = await startService({ service: 'intake', module: IntakeModule.forRoot(config, db.url), config, bodyParser: false });
    client = ClientProxyFactory.create(clientOptions(config, 'intake'));
    agency = await announceAgency();
    otherAgency = await announceAgency();
    restaurant = await provisionRestaurant(app.get(DataSource), { agencyId: agency.agencyId, ...RESTAURANT });
    othersRestaurant = await provisionRestaurant(app.get(DataSource), { agencyId: otherAgency.agencyId, ...RESTAURANT, name: '다른 대행의 식당' });
  });

  afterAll(async () => {
    await client?.close();
    await app?.close();
    await db?.drop();
  });

  it('accepts a phone order: stored as entered by an operator with its payment, and order.created as for a webhook', async () => {
    const body = phoneOrder();
    const response = await enter(body).expect(202);
    expect(response.body).toEqual({ orderId: expect.any(String), status: 'received' });
    const { orderId } = response.body;

    const [order] = await queryRows<Record<string, unknown>>(db.url, 'SELECT * FROM intake.orders WHERE id = $1', [orderId]);
    expect(order).toMatchObject({
      restaurant_id: restaurant.restaurantId,
      entered_by: 'operator',
      entered_by_operator_id: null,
      payment_method: 'cash',
      payment_collect_amount: 28000,
      customer_phone: '010-1234-5678',
    });
    const [event] = await queryRows<{ pattern: string; payload: unknown }>(db.url, "SELECT pattern, payload FROM intake.outbox WHERE payload->>'orderId' = $1", [orderId]);
    expect(event.pattern).toBe(PATTERNS.ORDER_CREATED);
    expect(validateContract(OrderCreatedEvent, event.payload).ok).toBe(true);
    expect(event.payload).toMatchObject({
      agencyId: agency.agencyId,
      restaurantId: restaurant.restaurantId,
      externalOrderId: body.externalOrderId,
      orderAmount: 25000,
      // The rider who carries it calls the customer and collects at the door.
      customerPhone: '010-1234-5678',
      payment: { method: 'cash', collectAmount: 28000 },
      enteredBy: 'operator',
    });
  });

  it('lets the restaurant read the order as its own, marked as entered by its agency, with what the rider collects', async () => {
    const { orderId } = (await enter(phoneOrder({ payment: { method: 'card', collectAmount: 31000 } })).expect(202)).body;
    const seen = await request(app.getHttpServer()).get(`/v1/restaurants/${restaurant.restaurantId}/orders/${orderId}`).set('authorization', `Bearer ${restaurant.apiKey}`).expect(200);
    expect(seen.body).toMatchObject({ orderId, status: 'received', enteredBy: 'operator', payment: { method: 'card', collectAmount: 31000 } });
  });

  it('gives a retry with the same Idempotency-Key the first answer, and makes one order and one event', async () => {
    const body = phoneOrder();
    const key = `call-${randomUUID()}`;
    const first = await enter(body, { key }).expect(202);
    await expectNothingStored(async () => {
      const again = await enter(body, { key }).expect(202);
      expect(again.text).toBe(first.text);
    });
    const events = await queryRows<{ n: number }>(db.url, "SELECT count(*)::int AS n FROM intake.outbox WHERE payload->>'orderId' = $1", [first.body.orderId]);
    expect(events[0].n).toBe(1);
  });

  it('stores a prepaid order as nothing to collect', async () => {
    const { orderId } = (await enter(phoneOrder({ payment: { method: 'prepaid' } })).expect(202)).body;
    const [row] = await queryRows<{ payment_collect_amount: number }>(db.url, 'SELECT payment_collect_amount FROM intake.orders WHERE id = $1', [orderId]);
    expect(row.payment_collect_amount).toBe(0);
  });

  describe('refuses, naming field, value and reason, and stores nothing', () => {
    it('without an Idempotency-Key', async () => {
      await expectNothingStored(async () => {
        const response = await enter(phoneOrder(), { key: null }).expect(400);
        expect(response.body.error).toMatchObject({ code: 'VALIDATION_FAILED', details: [expect.objectContaining({ field: 'Idempotency-Key' })] });
      });
    });

    it('a body the webhook would refuse, with every bad field, the payment included', async () => {
      await expectNothingStored(async () => {
        const response = await enter(phoneOrder({ restaurantId: 'not-a-uuid', orderAmount: -1, payment: { method: 'cash' }, cookingMinutes: 999 })).expect(400);
        const fields = response.body.error.details.map((e: { field: string }) => e.field);
        expect(fields).toEqual(expect.arrayContaining(['restaurantId', 'orderAmount', 'payment.collectAmount', 'cookingMinutes']));
        expect(response.body.error.details).toContainEqual({ field: 'payment.collectAmount', reason: expect.stringContaining('cash') });
      });
    });

    it('a prepaid order that asks the rider to collect', async () => {
      const response = await enter(phoneOrder({ payment: { method: 'prepaid', collectAmount: 5000 } })).expect(400);
      expect(response.body.error.details).toEqual([{ field: 'payment.collectAmount', value: 5000, reason: 'must be 0 or left out for a prepaid order' }]);
    });

    it("another agency's restaurant, as if it did not exist", async () => {
      await expectNothingStored(async () => {
        const response = await enter(phoneOrder({ restaurantId: othersRestaurant.restaurantId })).expect(404);
        expect(response.body.error).toMatchObject({ code: 'RESTAURANT_NOT_FOUND', details: { field: 'restaurantId' } });
      });
    });

    it('no key, an unknown key, or a key for another agency', async () => {
      await expectNothingStored(async () => {
        await enter(phoneOrder(), { as: { agencyId: agency.agencyId, authorization: '' } }).expect(401);
        await enter(phoneOrder(), { as: { agencyId: agency.agencyId, authorization: 'Bearer ak_unknown' } }).expect(401);
        await enter(phoneOrder(), { as: otherAgency, path: agency.agencyId }).expect(404);
      });
    });
  });
});
