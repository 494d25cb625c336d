import type { EntityManager } from 'typeorm';

/** What a service's copy of agency keys needs from `agency.key-rotated`. */
export interface AgencyKeyRotation {
  agencyId: string;
  apiKeyHash: string;
  previousApiKeyHash: string;
  previousValidUntil: string;
  keyVersion: number;
}

type Queryable = Pick<EntityManager, 'query'>;

/**
 * The agency whose current key, or whose key the last rotation replaced, has this hash, from a service's copy of
 * agency keys (`<schema>.agencies`, as fee and intake keep it); `replacedUntil` is when the replaced key stops (or
 * stopped) working, null for the current key. The caller refuses a replaced key past its window (authenticateAgency).
 */
export async function agencyByKeyHash(db: Queryable, schema: 'fee' | 'intake', apiKeyHash: string): Promise<{ id: string; replacedUntil: Date | null } | null> {
  const rows: Array<{ id: string; replacedUntil: Date | null }> = await db.query(
    `SELECT id, CASE WHEN api_key_hash = $1 THEN NULL ELSE previous_api_key_until END AS "replacedUntil" FROM ${schema}.agencies
      WHERE api_key_hash = $1 OR previous_api_key_hash = $1`,
    [apiKeyHash],
  );
  return rows[0] ?? null;
}

/**
 * Applies a rotation of an agency's key to a service's copy, unless the copy already has this rotation or a later
 * one (a redelivered or overtaken event changes nothing). An agency the copy does not know yet throws, so the
 * event is delivered again once its `agency.registered` has arrived.
 */
export async function applyAgencyKeyRotation(db: Queryable, schema: 'fee' | 'intake', rotation: AgencyKeyRotation): Promise<void> {
  const [, updated] = (await db.query(
    `UPDATE ${schema}.agencies SET api_key_hash = $2, previous_api_key_hash = $3, previous_api_key_until = $4, key_version = $5
      WHERE id = $1 AND key_version < $5`,
    [rotation.agencyId, rotation.apiKeyHash, rotation.previousApiKeyHash, rotation.previousValidUntil, rotation.keyVersion],
  )) as [unknown, number];
  if (updated > 0) return;
  const known: unknown[] = await db.query(`SELECT 1 FROM ${schema}.agencies WHERE id = $1`, [rotation.agencyId]);
  if (known.length === 0) throw new Error(`agency ${rotation.agencyId} is not known here yet: its key rotation waits for its registration`);
}
