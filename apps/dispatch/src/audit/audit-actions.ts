/** What the audit log records; each is one action a person (or the agency API key) took by hand. */
export const AUDIT_ACTIONS = [
  'order.entered',
  'delivery.assigned',
  'delivery.reassigned',
  'delivery.unassigned',
  'delivery.released',
  'delivery.cancelled',
  'delivery.failed',
  'settings.changed',
  'rider.created',
  'rider.edited',
  'rider.disabled',
  'rider.enabled',
  'operator.invited',
  'operator.role-changed',
  'operator.disabled',
  'operator.sessions-revoked',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];
