import { DomainError } from '#platform';
import { RIDER_CAPACITY_CONSTRAINT } from '../migrations/1764201700000-dispatch-offer-policies.js';

/**
 * RIDER_AT_CAPACITY for a database error that is the capacity trigger refusing an assignment, undefined for any
 * other error. The trigger is the one capacity check of every assignment (an accept, a manual assignment or
 * reassignment, plain SQL): it locks the rider and counts what it carries, so the code does not count again.
 */
export function riderAtCapacity(error: unknown): DomainError | undefined {
  const driver = (error as { driverError?: { constraint?: string; detail?: string } })?.driverError ?? (error as { constraint?: string; detail?: string });
  if (driver?.constraint !== RIDER_CAPACITY_CONSTRAINT) return undefined;
  let details = { active: NaN, capacity: NaN };
  try {
    details = JSON.parse(driver.detail ?? '') as typeof details;
  } catch {
    // The trigger always sets the detail; without it the code alone still tells the caller what happened.
  }
  return new DomainError('RIDER_AT_CAPACITY', `the rider is carrying ${details.active} of ${details.capacity} deliveries; one must be finished first`, details);
}
