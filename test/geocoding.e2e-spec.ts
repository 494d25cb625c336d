import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { FakeKakao, FakeNaver, fakeProvidersEnv } from '../libs/maps/src/testing/index.js';
import { Restaurant, Rider } from './support/actors.js';
import { eventually, startStack, type Stack } from './support/stack.js';

const GWANGHWAMUN = { address: '서울특별시 종로구 세종대로 172', point: { lng: 126.9769, lat: 37.5759 } };

interface SeenOrder {
  status: string;
  dropoff: { address: string; lng: number | null; lat: number | null; geocodedBy?: string };
  locating?: { attempts: number; lastError: { code: string; message: string } | null; nextAttemptAt: string | null };
  statusHistory: Array<{ status: string; at: string }>;
}

/**
 * An order that arrives with an address and no coordinates, through the three built services: intake keeps it
 * `locating`, fee places it by (fake) Kakao Local, and it goes on to dispatch and a rider like any other order.
 */
describe('geocoding address-only orders over tcp (system, fake Kakao and Naver)', () => {
  const kakao = new FakeKakao();
  // Configured so that "not found" is the answer of every provider, not of Kakao alone.
  const naver = new FakeNaver();
  let stack: Stack;
  let restaurant: Restaurant;
  let riderToken: string;
  let rider: Rider | undefined;

  beforeAll(async () => {
    await kakao.start();
    await naver.start();
    kakao.places.set(GWANGHWAMUN.address, GWANGHWAMUN.point);
    stack = await startStack({
      transport: 'tcp',
      env: {
        ...fakeProvidersEnv({ kakao, naver }),
        LOCATE_INTERVAL_MS: '200',
      },
    });
    const tenants = await stack.tenants('지오코딩 테스트 대행', ['라이더']);
    restaurant = tenants.restaurant;
    riderToken = tenants.riders[0].token;
  }, 120_000);

  afterAll(async () => {
    rider?.disconnect();
    await stack?.stop();
    await kakao.stop();
    await naver.stop();
  });

  it('places the address by Kakao Local and offers the order to a rider', async () => {
    rider = await Rider.connect(stack.url('dispatch'), riderToken);
    await expect(rider.ask('location', { lng: 126.9785, lat: 37.567 })).resolves.toMatchObject({ ok: true });

    const sent = await restaurant.send({ dropoff: { address: GWANGHWAMUN.address, detail: '3층' } });
    expect(sent).toMatchObject({ status: 202, body: { status: 'locating' } });
    const { orderId } = sent.body;

    const offer = await eventually(async () => rider!.offers[0], 'an offer for the located order', 30_000);
    expect(offer.distanceMeters).toBeGreaterThan(1000);

    const seen = await restaurant.order<SeenOrder>(orderId);
    expect(seen.dropoff).toMatchObject({ address: GWANGHWAMUN.address, ...GWANGHWAMUN.point, geocodedBy: 'kakao' });
    expect(seen.locating).toBeUndefined();
    expect(seen.statusHistory.map((h) => h.status).slice(0, 2)).toEqual(['locating', 'received']);
    expect(kakao.count('/v2/local/search/address.json')).toBe(1);
    expect(naver.count('/map-geocode/v2/geocode')).toBe(0);
  });

  it('keeps an address no provider knows locating, with the reason and the tries visible to the restaurant', async () => {
    const sent = await restaurant.send({ dropoff: { address: '서울특별시 어딘가 없는로 999' } });
    expect(sent).toMatchObject({ status: 202, body: { status: 'locating' } });
    const seen = await eventually(async () => {
      const order = await restaurant.order<SeenOrder>(sent.body.orderId);
      return order.locating?.lastError ? order : undefined;
    }, 'a failed try recorded on the order', 20_000);
    expect(seen).toMatchObject({
      status: 'locating',
      dropoff: { lng: null, lat: null },
      locating: { attempts: expect.any(Number), lastError: { code: 'ADDRESS_NOT_FOUND' }, nextAttemptAt: expect.any(String) },
    });
    expect(seen.locating!.attempts).toBeGreaterThanOrEqual(1);
  });
});
