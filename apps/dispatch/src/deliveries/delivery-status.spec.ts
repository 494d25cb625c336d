import { describe, expect, it } from '@jest/globals';
import { DomainError } from '#platform';
import { assertTransition, canTransition, DELIVERY_STATUSES, nextStatuses, type DeliveryStatus } from './delivery-status.js';

/** Every step a delivery may take; any pair not listed is refused. */
const ALLOWED: Array<[DeliveryStatus, DeliveryStatus, string]> = [
  ['pending', 'offered', 'offered to a rider'],
  ['pending', 'assigned', 'assigned by the agency'],
  ['pending', 'cancelled', 'cancelled while waiting'],
  ['offered', 'pending', 'offer declined or expired'],
  ['offered', 'assigned', 'offer accepted, or assigned by the agency'],
  ['offered', 'cancelled', 'cancelled while offered'],
  ['assigned', 'pending', 'unassigned by the agency'],
  ['assigned', 'assigned', 'reassigned by the agency'],
  ['assigned', 'picked_up', 'picked up'],
  ['assigned', 'cancelled', 'cancelled before pickup'],
  ['assigned', 'failed', 'failed before pickup'],
  ['picked_up', 'delivered', 'delivered'],
  ['picked_up', 'failed', 'failed on the way'],
];

const isAllowed = (from: DeliveryStatus, to: DeliveryStatus) => ALLOWED.some(([f, t]) => f === from && t === to);
const ALL_PAIRS = DELIVERY_STATUSES.flatMap((from) => DELIVERY_STATUSES.map((to) => [from, to] as [DeliveryStatus, DeliveryStatus]));
const REFUSED = ALL_PAIRS.filter(([from, to]) => !isAllowed(from, to));

describe('delivery status transitions', () => {
  it.each(ALLOWED)('allows %s -> %s (%s)', (from, to) => {
    expect(canTransition(from, to)).toBe(true);
    expect(() => assertTransition(from, to)).not.toThrow();
  });

  it.each(REFUSED)('refuses %s -> %s, naming both and what may follow', (from, to) => {
    expect(canTransition(from, to)).toBe(false);
    let error: unknown;
    try {
      assertTransition(from, to);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).message).toContain(`from ${from} to ${to}`);
    expect((error as DomainError).toJSON()).toEqual({
      code: 'INVALID_TRANSITION',
      message: expect.any(String),
      details: { from, to, allowed: [...nextStatuses(from)] },
    });
  });

  it('covers every pair of statuses', () => {
    expect(ALLOWED.length + REFUSED.length).toBe(DELIVERY_STATUSES.length ** 2);
    expect(REFUSED.length).toBeGreaterThan(30);
  });

  it('names the next statuses in the message, or says the status is final', () => {
    expect(() => assertTransition('picked_up', 'cancelled')).toThrow('it may go to delivered, failed');
    expect(() => assertTransition('failed', 'assigned')).toThrow('failed is final');
  });

  it('fails only a trip under way, and never leaves a final status', () => {
    expect(DELIVERY_STATUSES.filter((from) => canTransition(from, 'failed'))).toEqual(['assigned', 'picked_up']);
    for (const final of ['delivered', 'cancelled', 'failed'] as const) expect(nextStatuses(final)).toEqual([]);
  });

  it('cancels anything not yet on the bike', () => {
    expect(DELIVERY_STATUSES.filter((from) => canTransition(from, 'cancelled'))).toEqual(['pending', 'offered', 'assigned']);
  });
});
