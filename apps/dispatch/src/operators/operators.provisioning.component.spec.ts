import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { hashSecret } from '#platform';
import { migratedDispatchDatabase } from '../../test/dispatch-database.js';
import { provisionAgency } from '../agencies/agencies.provisioning.js';
import { provisionOperatorInvite } from './operators.provisioning.js';

/** The admin CLI's invite, on a real PostgreSQL with no service running. */
describe('inviting an operator from the admin CLI (component, real PostgreSQL)', () => {
  let db: Awaited<ReturnType<typeof migratedDispatchDatabase>>;
  let dataSource: DataSource;

  beforeAll(async () => {
    db = await migratedDispatchDatabase();
    dataSource = db.dataSource;
  });

  afterAll(async () => {
    await db?.close();
  });

  it('stores the invite as its hash with its audit entry, and the token only in the answer', async () => {
    const { agencyId } = await provisionAgency(dataSource, { name: '첫 대행' });
    const invite = await provisionOperatorInvite(dataSource, { agencyId, email: ' Boss@Hangang.Example ', role: 'owner' }, { inviteMs: 3_600_000 });
    expect(invite).toEqual({ inviteToken: expect.stringMatching(/^oi_[\w-]{32}$/), email: 'boss@hangang.example', role: 'owner', expiresAt: expect.any(String) });
    const [stored] = await dataSource.query(`SELECT token_hash, email, role, xmin::text AS xid FROM dispatch.operator_invites WHERE agency_id = $1`, [agencyId]);
    expect(stored).toMatchObject({ token_hash: hashSecret(invite.inviteToken), email: 'boss@hangang.example', role: 'owner' });
    const [entry] = await dataSource.query(`SELECT actor, action, subject, xmin::text AS xid FROM dispatch.audit_log WHERE agency_id = $1`, [agencyId]);
    expect(entry).toEqual({ actor: 'admin CLI', action: 'operator.invited', subject: 'boss@hangang.example', xid: stored.xid });
  });

  it('refuses bad fields, naming each, and an unknown agency, writing nothing', async () => {
    const { agencyId } = await provisionAgency(dataSource, { name: '둘째 대행' });
    await expect(provisionOperatorInvite(dataSource, { agencyId, email: 'not-an-email', role: 'boss' }, { inviteMs: 1000 })).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      details: [
        { field: 'email', value: 'not-an-email', reason: 'must be an email address' },
        { field: 'role', value: 'boss', reason: 'must be one of viewer, dispatcher, owner' },
      ],
    });
    await expect(provisionOperatorInvite(dataSource, { agencyId: randomUUID(), email: 'a@b.example', role: 'viewer' }, { inviteMs: 1000 })).rejects.toMatchObject({ code: 'AGENCY_NOT_FOUND' });
    expect(await dataSource.query(`SELECT 1 FROM dispatch.operator_invites WHERE agency_id = $1`, [agencyId])).toEqual([]);
  });
});
