import { describe, expect, it } from '@jest/globals';
import { movesForward, ORDER_STATUSES, type OrderStatus } from './order-status.js';

describe('movesForward', () => {
  it.each([
    ['locating', 'received'],
    ['locating', 'cancelled'],
    ['received', 'quoted'],
    ['received', 'assigned'],
    ['quoted', 'assigned'],
    ['assigned', 'picked_up'],
    ['picked_up', 'delivered'],
    ['received', 'cancelled'],
    ['picked_up', 'cancelled'],
    ['assigned', 'failed'],
    ['picked_up', 'failed'],
    ['quoted', 'failed'],
  ] as Array<[OrderStatus, OrderStatus]>)('%s -> %s moves forward', (from, to) => {
    expect(movesForward(from, to)).toBe(true);
  });

  it.each([
    ['quoted', 'received'],
    ['received', 'locating'],
    ['assigned', 'quoted'],
    ['delivered', 'picked_up'],
    ['assigned', 'assigned'],
    ['delivered', 'cancelled'],
    ['delivered', 'failed'],
    ['cancelled', 'failed'],
  ] as Array<[OrderStatus, OrderStatus]>)('%s -> %s does not', (from, to) => {
    expect(movesForward(from, to)).toBe(false);
  });

  it('lets nothing follow a cancellation', () => {
    for (const to of ORDER_STATUSES) expect(movesForward('cancelled', to)).toBe(false);
  });

  it('lets nothing follow a failure', () => {
    for (const to of ORDER_STATUSES) expect(movesForward('failed', to)).toBe(false);
  });
});
