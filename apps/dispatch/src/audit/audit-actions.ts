/** What the audit log records; each is one action a person (or the agency API key) took by hand. */
export const AUDIT_ACTIONS = [
  'operator.invited',
  'operator.role-changed',
  'operator.disabled',
  'operator.sessions-revoked',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];
