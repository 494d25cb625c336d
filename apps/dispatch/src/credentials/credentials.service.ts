import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { PATTERNS, validateContract, type RestaurantCredentialRotateRequest } from '#contracts';
import { Messaging } from '#messaging';
import { DomainError, replacedCredentialMessage, RotateCredentialRequest, type AgencyActor, type RotatedCredential } from '#platform';
import { AgenciesRepository } from '../agencies/agencies.repository.js';
import { AgencyAudit } from '../audit/agency-audit.js';
import { RiderChannel } from '../riders/rider-channel.js';
import { askUpstream } from '../upstream/ask-upstream.js';
import { rotateAgencyKey, rotateRiderToken } from './credential-rotation.js';

/** The agency key's rotation state, as the agency reads it. */
export interface AgencyKeyState {
  rotations: number;
  /** Until when the key the last rotation replaced works; null: never rotated. */
  previousValidUntil: string | null;
  previousValid: boolean;
}

/** An agency's owners rotate its API key and its riders' tokens (docs/agency-api.md#rotating-keys-and-tokens). */
@Injectable()
export class AgencyCredentials {
  private readonly logger = new Logger('credentials');

  constructor(
    private readonly dataSource: DataSource,
    private readonly agencies: AgenciesRepository,
    private readonly channel: RiderChannel,
    private readonly messaging: Messaging,
    private readonly audit: AgencyAudit,
  ) {}

  rotateKey(actor: AgencyActor, request: unknown): Promise<RotatedCredential> {
    return rotateAgencyKey(this.dataSource, { agencyId: actor.agencyId, request, actor });
  }

  async keyState(agencyId: string): Promise<AgencyKeyState> {
    const agency = await this.agencies.findById(agencyId);
    if (!agency) throw new DomainError('AGENCY_NOT_FOUND', `no agency ${agencyId}`);
    const until = agency.previousApiKeyUntil;
    return { rotations: agency.keyVersion, previousValidUntil: until?.toISOString() ?? null, previousValid: until !== null && until > new Date() };
  }

  /** A token revoked at once (no overlap) also closes the rider's open sockets: a lost phone is off at once. */
  async rotateRiderToken(actor: AgencyActor, riderId: string, request: unknown): Promise<RotatedCredential> {
    const rotated = await rotateRiderToken(this.dataSource, { riderId, agencyId: actor.agencyId, request, actor: () => actor });
    if (rotated.previousValidUntil === rotated.rotatedAt) {
      const until = rotated.previousValidUntil;
      const closed = this.channel.disconnect(rotated.id, { code: 'UNAUTHENTICATED', message: replacedCredentialMessage('rider token', new Date(until)), replacedUntil: until });
      this.logger.log(`rider ${rotated.id}: token revoked, ${closed} socket(s) closed`);
    }
    return rotated;
  }

  /**
   * One of the agency's restaurants' credentials, which order-intake keeps: asked of intake for the operator, then
   * audited here (intake records the rotation in its own transaction; this entry follows its answer).
   */
  async rotateRestaurantCredential(actor: AgencyActor, restaurantId: string, credential: RestaurantCredentialRotateRequest['credential'], body: unknown): Promise<RotatedCredential> {
    const validated = validateContract(RotateCredentialRequest, body ?? {});
    if (!validated.ok) throw DomainError.validation(validated.errors);
    const request: RestaurantCredentialRotateRequest = { agencyId: actor.agencyId, restaurantId, credential, overlapHours: validated.value.overlapHours, rotatedBy: actor.label };
    const rotated = await askUpstream<RotatedCredential>(this.messaging, PATTERNS.RESTAURANT_CREDENTIAL_ROTATE, request, {
      timeoutMs: INTAKE_TIMEOUT_MS,
      service: 'order-intake',
      // A rotation is not safe to send blindly again: a second one drops the restaurant's current credential.
      unanswered: "if it rotated anyway, a second rotation would drop the restaurant's current one at once: ask the restaurant (GET …/credentials) before trying again",
    });
    await this.dataSource.transaction((manager) =>
      this.audit.record(manager, 'key.rotated', rotated.id, { credential: rotated.credential, previousValidUntil: rotated.previousValidUntil }),
    );
    return rotated;
  }
}

/** How long a rotation waits for order-intake, which keeps restaurants' credentials. */
const INTAKE_TIMEOUT_MS = 10_000;

