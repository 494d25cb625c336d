import { describe, expect, it } from '@jest/globals';
import { DomainError } from '#platform';
import { assertTransition, canTransition, DELIVERY_STATUSES, type DeliveryStatus } from './delivery-status.js';

describe('delivery status transitions', () => {
  it('follows a delivery from waiting to delivered, with offers coming back when declined or expired', () => {
    const path: DeliveryStatus[] = ['pending', 'offered', 'pending', 'offered', 'assigned', 'picked_up', 'delivered'];
    for (let i = 1; i < path.length; i++) expect(canTransition(path[i - 1], path[i])).toBe(true);
  });

  it.each([
    ['pending', 'assigned'],
    ['pending', 'picked_up'],
    ['offered', 'delivered'],
    ['assigned', 'delivered'],
    ['assigned', 'pending'],
    ['picked_up', 'cancelled'],
    ['picked_up', 'picked_up'],
  ] as Array<[DeliveryStatus, DeliveryStatus]>)('refuses %s -> %s, naming both', (from, to) => {
    const attempt = () => assertTransition(from, to);
    expect(attempt).toThrow(DomainError);
    expect(attempt).toThrow(`from ${from} to ${to}`);
    try {
      attempt();
    } catch (error) {
      expect((error as DomainError).toJSON()).toMatchObject({ code: 'INVALID_TRANSITION', details: { from, to } });
    }
  });

  it('never leaves delivered or cancelled', () => {
    for (const to of DELIVERY_STATUSES) {
      expect(canTransition('delivered', to)).toBe(false);
      expect(canTransition('cancelled', to)).toBe(false);
    }
  });

  it('cancels anything not yet on the bike', () => {
    expect(DELIVERY_STATUSES.filter((from) => canTransition(from, 'cancelled'))).toEqual(['pending', 'offered', 'assigned']);
  });
});
