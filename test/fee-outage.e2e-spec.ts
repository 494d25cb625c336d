import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Rider } from './support/actors.js';
import { eventually, startStack, type Stack, type Tenants } from './support/stack.js';

/**
 * The fee service itself is down (killed): dispatch does not wait on it. The order is offered with its fee
 * pending, the rider takes it, and once fee is back the price reaches the rider and the restaurant.
 */
describe('dispatch through a fee outage (system)', () => {
  let stack: Stack;
  let tenants: Tenants;
  let rider: Rider | undefined;

  beforeAll(async () => {
    stack = await startStack({ transport: 'tcp', env: { DISPATCH_SWEEP_INTERVAL_MS: '100', FEE_PENDING_OFFER_AFTER_MS: '300' } });
    tenants = await stack.tenants('요금 장애 대행', ['장애 라이더']);
  }, 120_000);

  afterAll(async () => {
    rider?.disconnect();
    await stack?.stop();
  });

  it('offers with the fee pending while fee is killed, then fills the price in for the rider and the restaurant', async () => {
    await stack.kill('fee', 'SIGKILL');

    rider = await Rider.connect(stack.url('dispatch'), tenants.riders[0].token);
    await expect(rider.ask('location', { lng: 126.9785, lat: 37.567 })).resolves.toMatchObject({ ok: true });
    const sent = await tenants.restaurant.send();
    expect(sent.status).toBe(202);

    const offer = await eventually(async () => rider!.offers[0], 'an offer while fee is down', 20_000);
    expect(offer).toMatchObject({ fee: null, feePending: true });
    await expect(rider.ask('offer:accept', { offerId: offer.offerId })).resolves.toMatchObject({ ok: true });
    await eventually(
      async () => ((await tenants.restaurant.order(sent.body.orderId)).status === 'assigned' ? true : undefined),
      'the order assigned with its fee pending',
      20_000,
    );

    await stack.start('fee');
    const priced = await eventually(async () => rider!.events<{ deliveryId: string; fee: number }>('delivery:fee')[0], 'the price once fee is back', 30_000);
    // About 1.05 km straight line × 1.3: inside the 1.5 km base distance.
    expect(priced).toMatchObject({ deliveryId: offer.deliveryId, fee: 3000, riderPay: 3000 });
    const order = await eventually(async () => {
      const seen = await tenants.restaurant.order<{ status: string; fee: { total: number } | null }>(sent.body.orderId);
      return seen.fee ? seen : undefined;
    }, 'the restaurant to see the fee', 20_000);
    expect(order).toMatchObject({ status: 'assigned', fee: { total: 3000, estimated: true } });
  });
});
