import type { OperatorRow } from './operators.repository.js';

/** An operator as the agency's owners see them: never the password hash. */
export function operatorView(row: OperatorRow) {
  return { id: row.id, email: row.email, name: row.name, role: row.role, disabled: row.disabledAt !== null, createdAt: row.createdAt };
}
