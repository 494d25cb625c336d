import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { ClientProxy } from '@nestjs/microservices';
import { randomUUID } from 'node:crypto';
import { lastValueFrom } from 'rxjs';
import { PATTERNS, type FeeQuote } from '#contracts';
import { queryRows } from '../../../../test/support/database.js';
import type { TestAgency } from '../../test/agencies.js';
import { sendCharge, testDelivery } from './testing/charge-events.js';
import { startFeeService, type TestFeeService } from '../../test/fee-service.js';

const cityHall = { lng: 126.978, lat: 37.5665 };
const gwanghwamun = { lng: 126.9769, lat: 37.5759 };

/** `delivery.charge` from dispatch, on the real fee module and PostgreSQL: the quote freezes, the stage only moves forward. */
describe('delivery charges (component, real PostgreSQL)', () => {
  let fee: TestFeeService;
  let db: TestFeeService['db'];
  let client: ClientProxy;
  let agency: TestAgency;

  beforeAll(async () => {
    fee = await startFeeService();
    ({ db, client, agency } = fee);
  });

  afterAll(() => fee?.close());

  const quote = async (): Promise<FeeQuote> => lastValueFrom(client.send<FeeQuote>(PATTERNS.FEE_QUOTE, { agencyId: agency.agencyId, pickup: cityHall, dropoff: gwanghwamun }));
  const charge = async (deliveryId: string) =>
    (
      await queryRows(
        db.url,
        `SELECT quote_id, stage, rider_id, assigned_at, delivered_at, cancelled_at FROM fee.charges WHERE delivery_id = $1`,
        [deliveryId],
      )
    )[0];
  const t = (minute: number) => new Date(Date.UTC(2026, 10, 20, 3, minute));
  const [riderA, riderB] = [randomUUID(), randomUUID()];

  it('freezes the first quote and moves forward only, whatever order and however often events arrive', async () => {
    const frozen = await quote();
    const other = await quote();
    const delivery = testDelivery(agency.agencyId, frozen.quoteId);

    await expect(sendCharge(client, delivery, 'assigned', t(0), { riderId: riderA })).resolves.toEqual({ ok: true });
    expect(await charge(delivery.deliveryId)).toEqual({ quote_id: frozen.quoteId, stage: 'assigned', rider_id: riderA, assigned_at: t(0), delivered_at: null, cancelled_at: null });

    // Delivered overtakes picked_up and the reassignment; a later event names another quote.
    await sendCharge(client, delivery, 'delivered', t(30), { riderId: riderB });
    await sendCharge(client, delivery, 'picked_up', t(20), { riderId: riderB, quoteId: other.quoteId });
    await sendCharge(client, delivery, 'assigned', t(10), { riderId: riderB });
    // Duplicates, and the first assignment again, late.
    await sendCharge(client, delivery, 'assigned', t(0), { riderId: riderA });
    await sendCharge(client, delivery, 'delivered', t(30), { riderId: riderB });
    // Cancelled after delivered changes nothing.
    await sendCharge(client, delivery, 'cancelled', t(40));

    expect(await charge(delivery.deliveryId)).toEqual({ quote_id: frozen.quoteId, stage: 'delivered', rider_id: riderB, assigned_at: t(10), delivered_at: t(30), cancelled_at: null });
  });

  it('keeps a delivery cancelled before delivery cancelled, with no delivery time', async () => {
    const delivery = testDelivery(agency.agencyId, (await quote()).quoteId);
    await sendCharge(client, delivery, 'picked_up', t(5), { riderId: riderA });
    await sendCharge(client, delivery, 'cancelled', t(8), { riderId: riderA });
    await sendCharge(client, delivery, 'assigned', t(1), { riderId: riderA });
    await sendCharge(client, delivery, 'delivered', t(9), { riderId: riderA });
    expect(await charge(delivery.deliveryId)).toEqual({ quote_id: delivery.quoteId, stage: 'cancelled', rider_id: riderA, assigned_at: t(1), delivered_at: null, cancelled_at: t(8) });
  });

  it('takes the rider of a delivery first heard of at delivery, until an assignment says otherwise', async () => {
    const delivery = testDelivery(agency.agencyId, (await quote()).quoteId);
    await sendCharge(client, delivery, 'delivered', t(30), { riderId: riderB });
    expect(await charge(delivery.deliveryId)).toMatchObject({ stage: 'delivered', rider_id: riderB, assigned_at: null });
    await sendCharge(client, delivery, 'assigned', t(10), { riderId: riderA });
    expect(await charge(delivery.deliveryId)).toMatchObject({ stage: 'delivered', rider_id: riderA, assigned_at: t(10), delivered_at: t(30) });
  });

  it('rejects an event naming a quote fee never gave, and an invalid event, storing nothing', async () => {
    const unknown = testDelivery(agency.agencyId, randomUUID());
    await expect(sendCharge(client, unknown, 'assigned', t(0), { riderId: riderA })).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      details: [expect.objectContaining({ field: 'quoteId', value: unknown.quoteId })],
    });
    const bad = testDelivery(agency.agencyId, (await quote()).quoteId);
    await expect(sendCharge(client, bad, 'lost' as 'assigned', t(0))).rejects.toMatchObject({ code: 'VALIDATION_FAILED', details: [expect.objectContaining({ field: 'stage' })] });
    expect(await charge(unknown.deliveryId)).toBeUndefined();
    expect(await charge(bad.deliveryId)).toBeUndefined();
  });

  it('merges events that arrive together as if they came one by one, and refuses only the one naming an unknown quote', async () => {
    const deliveries = await Promise.all(Array.from({ length: 6 }, async () => testDelivery(agency.agencyId, (await quote()).quoteId)));
    const unknown = testDelivery(agency.agencyId, randomUUID());
    // All sent at once, so they are written together: each delivery's three stages in one batch, and a bad event among them.
    const sent = await Promise.allSettled([
      ...deliveries.flatMap((delivery) => [
        sendCharge(client, delivery, 'assigned', t(0), { riderId: riderA }),
        sendCharge(client, delivery, 'picked_up', t(10), { riderId: riderA }),
        sendCharge(client, delivery, 'delivered', t(20), { riderId: riderA }),
      ]),
      sendCharge(client, unknown, 'assigned', t(0), { riderId: riderA }),
    ]);
    expect(sent.slice(0, -1).every((outcome) => outcome.status === 'fulfilled')).toBe(true);
    expect(sent[sent.length - 1]).toMatchObject({ status: 'rejected', reason: { code: 'VALIDATION_FAILED' } });
    for (const delivery of deliveries) {
      expect(await charge(delivery.deliveryId)).toEqual({ quote_id: delivery.quoteId, stage: 'delivered', rider_id: riderA, assigned_at: t(0), delivered_at: t(20), cancelled_at: null });
    }
    expect(await charge(unknown.deliveryId)).toBeUndefined();
  });
});
