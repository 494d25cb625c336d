import { describe, expect, it, jest } from '@jest/globals';
import type { DeliveryEntity } from '../deliveries/delivery.entity.js';
import type { AgencyLeases } from '../leases/agency-leases.service.js';
import { DispatchWakeup } from '../offers/dispatch-wakeup.js';
import type { ClusterRedis } from './cluster-redis.js';
import { ClusterWakeups } from './cluster-wakeups.js';

const OWNED = 'a0000000-0000-4000-8000-000000000001';
const OTHER = 'a0000000-0000-4000-8000-000000000002';
const delivery = { id: 'd0000000-0000-4000-8000-000000000001', agencyId: OTHER } as DeliveryEntity;
const settle = () => new Promise((resolve) => setImmediate(resolve));

/** ClusterWakeups over a fake Redis whose publish answers `published` (the number of listeners, or a rejection). */
function wakeups(published: () => Promise<number>, connected = true, sharing = connected) {
  const handlers = new Map<string, (message: string) => void>();
  const warnings: string[] = [];
  const redis = {
    prefix: 'test:',
    connected,
    sharing,
    on: (channel: string, handle: (message: string) => void) => handlers.set(channel, handle),
    commands: { publish: jest.fn(published) },
    warn: (line: string) => warnings.push(line),
  };
  const wakeup = new DispatchWakeup();
  new ClusterWakeups(redis as unknown as ClusterRedis, { owns: (agencyId: string) => agencyId === OWNED } as unknown as AgencyLeases, wakeup);
  return { wakeup, redis, warnings, deliver: (message: string) => handlers.get('test:hand-over')!(message) };
}

describe('ClusterWakeups', () => {
  it('hands a delivery over when another instance hears it, and prices it here when none did or the publish failed', async () => {
    const heard = wakeups(async () => 2);
    const failed = jest.fn();
    expect(heard.wakeup.handOver(delivery, failed)).toBe(true);
    await settle();
    expect(heard.redis.commands.publish).toHaveBeenCalledWith('test:hand-over', JSON.stringify({ agencyId: OTHER, deliveryId: delivery.id }));
    expect(failed).not.toHaveBeenCalled();

    // Only this instance listens: nobody would price it.
    const alone = wakeups(async () => 1);
    const unheard = jest.fn();
    expect(alone.wakeup.handOver(delivery, unheard)).toBe(true);
    await settle();
    expect(unheard).toHaveBeenCalledTimes(1);
    expect(alone.warnings).toEqual([expect.stringContaining('no other instance heard')]);

    const broken = wakeups(async () => Promise.reject(new Error('connection lost')));
    const refused = jest.fn();
    broken.wakeup.handOver(delivery, refused);
    await settle();
    expect(refused).toHaveBeenCalledTimes(1);

    // This instance's own subscriber is down: the one listener Redis counts is another instance, the owner.
    const deaf = wakeups(async () => 1, true, false);
    const unneeded = jest.fn();
    expect(deaf.wakeup.handOver(delivery, unneeded)).toBe(true);
    await settle();
    expect(unneeded).not.toHaveBeenCalled();

    // Redis away: not handed over at all, the caller prices it.
    expect(wakeups(async () => 2, false).wakeup.handOver(delivery, jest.fn())).toBe(false);
  });

  it('takes over only the deliveries of agencies this instance plans', () => {
    const { wakeup, deliver } = wakeups(async () => 2);
    const taken: string[] = [];
    wakeup.onHandedOver((id) => taken.push(id));
    deliver(JSON.stringify({ agencyId: OTHER, deliveryId: 'elsewhere' }));
    deliver(JSON.stringify({ agencyId: OWNED, deliveryId: 'mine' }));
    deliver(JSON.stringify({ agencyId: OWNED, deliveryId: 7 }));
    expect(taken).toEqual(['mine']);
  });
});
