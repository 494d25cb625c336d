import { DomainError } from '#platform';
import type { DeliveryEntity } from './delivery.entity.js';

/**
 * Checks the time a rider says a step of its delivery happened (`at` on a report its app kept while offline):
 * not ahead of the server's clock by more than `maxSkewSeconds` (a device clock a little fast is tolerated), and
 * not before the step the delivery last took (assigned, then picked up). Throws REPORTED_AT_REFUSED saying which.
 */
export function checkReportedAt(delivery: Pick<DeliveryEntity, 'id' | 'assignedAt' | 'pickedUpAt'>, at: Date, now: Date, maxSkewSeconds: number): void {
  const latest = new Date(now.getTime() + maxSkewSeconds * 1000);
  if (at > latest) {
    throw new DomainError('REPORTED_AT_REFUSED', `at ${at.toISOString()} is more than ${maxSkewSeconds} s ahead of the server's clock (${now.toISOString()})`, {
      at: at.toISOString(),
      serverTime: now.toISOString(),
      maxSkewSeconds,
    });
  }
  const [since, step] = delivery.pickedUpAt ? [delivery.pickedUpAt, 'picked up'] : [delivery.assignedAt, 'assigned'];
  if (since && at < since) {
    throw new DomainError('REPORTED_AT_REFUSED', `at ${at.toISOString()} is before delivery ${delivery.id} was ${step} (${since.toISOString()})`, {
      at: at.toISOString(),
      notBefore: since.toISOString(),
    });
  }
}
