import { Inject, Injectable } from '@nestjs/common';
import { isUUID } from 'class-validator';
import { randomUUID } from 'node:crypto';
import { DataSource, type EntityManager } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '#config';
import { DomainError, FailureLimiter, hashSecret, newSecret, type AgencyActor, type OperatorRole, type OperatorSession, type OperatorSessions } from '#platform';
import { AuditLogRepository } from '../audit/audit-log.repository.js';
import type { AcceptInviteRequest, InviteOperatorRequest, SignInRequest } from './dto/operator.requests.js';
import { hashPassword, NO_ONES_PASSWORD, verifyPassword } from './operator-passwords.js';
import { operatorView } from './operator.view.js';
import { OperatorsRepository, type OperatorRow } from './operators.repository.js';

/**
 * The people of an agency: invited by an owner (or the agency API key) with a one-time token, they choose a
 * password and sign in for a session that ends when idle too long, at its absolute end, on sign-out, or when an
 * owner revokes it. Every change to people is written to the audit log in the same transaction.
 */
@Injectable()
export class OperatorsService implements OperatorSessions {
  private readonly failuresByAddress: FailureLimiter;
  private readonly failuresByAccount: FailureLimiter;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly dataSource: DataSource,
    private readonly operators: OperatorsRepository,
    private readonly audit: AuditLogRepository,
  ) {
    const { auth } = config;
    this.failuresByAddress = new FailureLimiter({ limit: auth.failuresPerAddress, windowMs: auth.failureWindowMs });
    this.failuresByAccount = new FailureLimiter({ limit: auth.loginFailuresPerAccount, windowMs: auth.failureWindowMs });
  }

  authenticate(token: string): Promise<OperatorSession | null> {
    return this.operators.touchSession(hashSecret(token), this.config.auth.sessionIdleMs);
  }

  /**
   * A new session for the right email and password. Refused with TOO_MANY_ATTEMPTS, before the password is
   * looked at, once the address or the account has had too many failures within the window.
   */
  async signIn(request: SignInRequest, address: string) {
    const waitMs = Math.max(this.failuresByAddress.retryAfterMs(address), this.failuresByAccount.retryAfterMs(request.email));
    if (waitMs > 0) {
      const retryAfterSeconds = Math.ceil(waitMs / 1000);
      throw new DomainError('TOO_MANY_ATTEMPTS', `too many failed sign-ins: try again in ${retryAfterSeconds} s`, { retryAfterSeconds });
    }
    const operator = await this.operators.findByEmail(request.email);
    const matches = await verifyPassword(request.password, operator?.passwordHash ?? (await NO_ONES_PASSWORD));
    if (!operator || !matches || operator.disabledAt) {
      this.failuresByAddress.fail(address);
      this.failuresByAccount.fail(request.email);
      throw new DomainError('UNAUTHENTICATED', 'wrong email or password, or the account is disabled');
    }
    const token = newSecret('os_');
    const expiresAt = new Date(Date.now() + this.config.auth.sessionMaxMs);
    await this.operators.insertSession({ tokenHash: token.hash, operatorId: operator.id, expiresAt });
    return { token: token.secret, expiresAt, idleMinutes: this.config.auth.sessionIdleMs / 60_000, agencyId: operator.agencyId, operator: operatorView(operator) };
  }

  async signOut(token: string): Promise<void> {
    if (!(await this.operators.revokeSession(hashSecret(token)))) throw new DomainError('UNAUTHENTICATED', 'no live session for this token');
  }

  async invite(actor: AgencyActor, request: InviteOperatorRequest) {
    const token = newSecret('oi_');
    const expiresAt = new Date(Date.now() + this.config.auth.inviteMs);
    await this.dataSource.transaction(async (manager) => {
      await this.operators.insertInvite(manager, { tokenHash: token.hash, agencyId: actor.agencyId, email: request.email, role: request.role, expiresAt });
      await this.audit.record(manager, actor, 'operator.invited', request.email, { role: request.role });
    });
    return { inviteToken: token.secret, email: request.email, role: request.role, expiresAt, acceptPath: `/agency/#invite=${token.secret}` };
  }

  async acceptInvite(request: AcceptInviteRequest) {
    const passwordHash = await hashPassword(request.password);
    return this.dataSource.transaction(async (manager) => {
      const invite = await this.operators.takeInvite(manager, hashSecret(request.token));
      if (!invite) throw new DomainError('INVITE_NOT_FOUND', 'this invite is unknown, already used or expired: ask for a new one');
      const operator = { id: randomUUID(), agencyId: invite.agencyId, email: invite.email, name: request.name.trim(), role: invite.role, passwordHash };
      if (!(await this.operators.insertOperator(manager, operator))) {
        throw new DomainError('OPERATOR_EXISTS', `${invite.email} already has an account`, [{ field: 'email', value: invite.email, reason: 'already has an account' }]);
      }
      return { agencyId: invite.agencyId, operator: operatorView({ ...operator, disabledAt: null, createdAt: new Date() }) };
    });
  }

  async list(agencyId: string) {
    return { operators: (await this.operators.listByAgency(agencyId)).map(operatorView) };
  }

  changeRole(actor: AgencyActor, operatorId: string, role: OperatorRole) {
    return this.change(actor, operatorId, async (manager, before) => {
      await this.operators.setRole(manager, before.id, role);
      await this.audit.record(manager, actor, 'operator.role-changed', before.email, { operatorId: before.id, from: before.role, to: role });
      return { ...before, role };
    });
  }

  /** The operator can no longer sign in, and every session they have ends now. */
  disable(actor: AgencyActor, operatorId: string) {
    return this.change(actor, operatorId, async (manager, before) => {
      await this.operators.disable(manager, before.id);
      const sessions = await this.operators.revokeSessions(manager, before.id);
      await this.audit.record(manager, actor, 'operator.disabled', before.email, { operatorId: before.id, sessionsRevoked: sessions });
      return { ...before, disabledAt: before.disabledAt ?? new Date() };
    });
  }

  /** Every session the operator has ends now; they may sign in again. */
  revokeSessions(actor: AgencyActor, operatorId: string) {
    return this.change(actor, operatorId, async (manager, before) => {
      const sessions = await this.operators.revokeSessions(manager, before.id);
      await this.audit.record(manager, actor, 'operator.sessions-revoked', before.email, { operatorId: before.id, sessionsRevoked: sessions });
      return before;
    });
  }

  private async change(
    actor: AgencyActor,
    operatorId: string,
    step: (manager: EntityManager, before: OperatorRow) => Promise<OperatorRow>,
  ) {
    const after = await this.dataSource.transaction(async (manager) => {
      const before = !isUUID(operatorId) ? null : await this.operators.lock(manager, actor.agencyId, operatorId.toLowerCase());
      if (!before) throw new DomainError('OPERATOR_NOT_FOUND', `no operator ${operatorId} in this agency`);
      return step(manager, before);
    });
    return operatorView(after);
  }
}
