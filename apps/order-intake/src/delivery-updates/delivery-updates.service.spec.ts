import 'reflect-metadata';
import { beforeEach, describe, expect, it } from '@jest/globals';
import { Test } from '@nestjs/testing';
import { randomUUID } from 'node:crypto';
import { pino } from 'pino';
import type { DeliveryEventStatus, DeliveryStatusChangedEvent } from '#contracts';
import { CallbacksService } from '../callbacks/callbacks.service.js';
import type { StatusChange } from '../callbacks/status-callback.js';
import { INTAKE_LOG } from '../intake.logger.js';
import type { OrderStatus } from '../orders/order-status.js';
import { DeliveryUpdatesRepository, type DeliveryDetails, type OrderProgress } from './delivery-updates.repository.js';
import { DeliveryUpdatesService } from './delivery-updates.service.js';

/** Records what the service asked of the database; each test sets the order it finds. */
class FakeRepository {
  handled = new Set<string>();
  order: OrderProgress | null = { status: 'received', hasFee: false, riderId: null, riderChangedAt: null };
  calls: Array<[string, ...unknown[]]> = [];

  transaction<T>(work: (manager: unknown) => Promise<T>): Promise<T> {
    return work({});
  }
  async claim(_: unknown, eventId: string): Promise<boolean> {
    if (this.handled.has(eventId)) return false;
    this.handled.add(eventId);
    return true;
  }
  async lockOrder(): Promise<OrderProgress | null> {
    return this.order;
  }
  async advance(_: unknown, orderId: string, status: OrderStatus, at: Date, details: DeliveryDetails): Promise<void> {
    this.calls.push(['advance', status, at.toISOString(), details]);
  }
  async recordStatus(_: unknown, orderId: string, status: OrderStatus, at: Date): Promise<void> {
    this.calls.push(['recordStatus', status, at.toISOString()]);
  }
  async fillDetails(_: unknown, orderId: string, details: DeliveryDetails): Promise<void> {
    this.calls.push(['fillDetails', details]);
  }
  async changeRider(_: unknown, orderId: string, status: OrderStatus, rider: { id: string; name: string } | undefined, at: Date): Promise<void> {
    this.calls.push(['changeRider', status, rider, at.toISOString()]);
  }
}

/** Records the status callbacks the service queued, and whether it woke the sender; `hasUrl` false queues nothing. */
class FakeCallbacks {
  hasUrl = true;
  queued: StatusChange[] = [];
  woken = 0;
  async enqueue(_: unknown, change: StatusChange): Promise<boolean> {
    if (!this.hasUrl) return false;
    this.queued.push(change);
    return true;
  }
  wake(): void {
    this.woken++;
  }
}

const FEE = { total: 4500, currency: 'KRW' as const, distanceMeters: 2710, provider: 'turf', estimated: true };
const RIDER = { id: randomUUID(), name: '김배달' };

function event(status: DeliveryEventStatus, extra: Partial<DeliveryStatusChangedEvent> = {}): DeliveryStatusChangedEvent {
  return { eventId: randomUUID(), occurredAt: '2026-01-15T12:00:00.000Z', orderId: randomUUID(), deliveryId: randomUUID(), status, ...extra };
}

describe('DeliveryUpdatesService', () => {
  let sut: DeliveryUpdatesService;
  let repository: FakeRepository;
  let callbacks: FakeCallbacks;

  beforeEach(async () => {
    repository = new FakeRepository();
    callbacks = new FakeCallbacks();
    const moduleRef = await Test.createTestingModule({
      providers: [
        DeliveryUpdatesService,
        { provide: DeliveryUpdatesRepository, useValue: repository },
        { provide: CallbacksService, useValue: callbacks },
        { provide: INTAKE_LOG, useValue: pino({ level: 'silent' }) },
      ],
    }).compile();
    sut = moduleRef.get(DeliveryUpdatesService);
  });

  it('moves the order forward at the time the event happened, with the fee it carries', async () => {
    await expect(sut.apply(event('quoted', { fee: FEE }))).resolves.toBe('applied');
    expect(repository.calls).toEqual([['advance', 'quoted', '2026-01-15T12:00:00.000Z', { fee: FEE, rider: undefined }]]);
  });

  it('queues a status callback for a change it applies, from the status the order had, and wakes the sender', async () => {
    const quoted = event('quoted', { fee: FEE });
    await sut.apply(quoted);
    expect(callbacks.queued).toEqual([{ orderId: quoted.orderId, status: 'quoted', previousStatus: 'received', at: new Date(quoted.occurredAt) }]);
    expect(callbacks.woken).toBe(1);
  });

  it('no callback queued, no wake: a change for a restaurant without a callback URL leaves the sender asleep', async () => {
    callbacks.hasUrl = false;
    await expect(sut.apply(event('quoted', { fee: FEE }))).resolves.toBe('applied');
    expect(callbacks.woken).toBe(0);
  });

  it('queues no callback for a late status or a repeated event: the order did not change', async () => {
    repository.order = { status: 'assigned', hasFee: false, riderId: RIDER.id, riderChangedAt: null };
    const quoted = event('quoted', { fee: FEE });
    await sut.apply(quoted);
    await sut.apply(quoted);
    expect(callbacks.queued).toEqual([]);
    expect(callbacks.woken).toBe(0);
  });

  it('does nothing for an event it handled before', async () => {
    const quoted = event('quoted', { fee: FEE });
    await sut.apply(quoted);
    await expect(sut.apply(quoted)).resolves.toBe('duplicate');
    expect(repository.calls).toHaveLength(1);
  });

  it('keeps a newer status, but fills in a fee the order lacks', async () => {
    repository.order = { status: 'assigned', hasFee: false, riderId: RIDER.id, riderChangedAt: null };
    await expect(sut.apply(event('quoted', { fee: FEE }))).resolves.toBe('late');
    expect(repository.calls).toEqual([
      ['recordStatus', 'quoted', '2026-01-15T12:00:00.000Z'],
      ['fillDetails', { fee: FEE, rider: undefined }],
    ]);
  });

  it('only adds a late status to the history when the order already has its details', async () => {
    repository.order = { status: 'delivered', hasFee: true, riderId: RIDER.id, riderChangedAt: null };
    await expect(sut.apply(event('picked_up'))).resolves.toBe('late');
    expect(repository.calls).toEqual([['recordStatus', 'picked_up', '2026-01-15T12:00:00.000Z']]);
  });

  it('never records a cancellation that arrives after delivery', async () => {
    repository.order = { status: 'delivered', hasFee: true, riderId: RIDER.id, riderChangedAt: null };
    await expect(sut.apply(event('cancelled'))).resolves.toBe('late');
    expect(repository.calls).toEqual([]);
  });

  describe('rider changes the agency makes by hand', () => {
    const OTHER = { id: randomUUID(), name: '이배달' };
    const assignedAt = new Date('2026-01-15T11:00:00.000Z');

    it('moves the order to the new rider on a reassignment, and tells the restaurant', async () => {
      repository.order = { status: 'assigned', hasFee: true, riderId: RIDER.id, riderChangedAt: assignedAt };
      const reassigned = event('assigned', { rider: OTHER });
      await expect(sut.apply(reassigned)).resolves.toBe('applied');
      expect(repository.calls).toEqual([['changeRider', 'assigned', OTHER, '2026-01-15T12:00:00.000Z']]);
      expect(callbacks.queued).toEqual([expect.objectContaining({ status: 'assigned', previousStatus: 'assigned' })]);
    });

    it('puts an order taken back from its rider back to quoted, with no rider, saying why', async () => {
      repository.order = { status: 'assigned', hasFee: true, riderId: RIDER.id, riderChangedAt: assignedAt };
      await expect(sut.apply(event('unassigned', { reason: '라이더 사고' }))).resolves.toBe('applied');
      expect(repository.calls).toEqual([['changeRider', 'quoted', undefined, '2026-01-15T12:00:00.000Z']]);
      expect(callbacks.queued).toEqual([expect.objectContaining({ status: 'quoted', previousStatus: 'assigned', reason: '라이더 사고' })]);
    });

    it('never brings back a rider with an assignment older than the last change', async () => {
      // Taken back at 12:30; the first assignment's event (12:00) arrives only now.
      repository.order = { status: 'quoted', hasFee: true, riderId: null, riderChangedAt: new Date('2026-01-15T12:30:00.000Z') };
      await expect(sut.apply(event('assigned', { rider: RIDER }))).resolves.toBe('late');
      expect(repository.calls).toEqual([['recordStatus', 'assigned', '2026-01-15T12:00:00.000Z']]);
      expect(callbacks.queued).toEqual([]);
    });

    it('ignores an unassignment overtaken by the reassignment that followed it', async () => {
      repository.order = { status: 'assigned', hasFee: true, riderId: OTHER.id, riderChangedAt: new Date('2026-01-15T12:30:00.000Z') };
      await expect(sut.apply(event('unassigned'))).resolves.toBe('late');
      expect(repository.calls).toEqual([]);
    });
  });

  it('fails for an order it does not know, so the event is retried', async () => {
    repository.order = null;
    await expect(sut.apply(event('quoted', { fee: FEE }))).rejects.toMatchObject({ code: 'ORDER_NOT_FOUND' });
  });
});
