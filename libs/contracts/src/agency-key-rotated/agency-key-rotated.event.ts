import { IsDateString, IsInt, IsUUID, Matches, Min } from 'class-validator';
import { EventEnvelope } from '../common/event.js';

/**
 * Emitted by dispatch when an agency's API key is rotated: fee and order-intake keep a copy of each agency's key
 * hash, and follow it, letting the replaced key work until `previousValidUntil`.
 */
export const AGENCY_KEY_ROTATED = 'agency.key-rotated';

/** The same announcement, payload and all, for order-intake. */
export const AGENCY_KEY_ROTATED_FOR_INTAKE = 'agency.key-rotated.intake';

export class AgencyKeyRotatedEvent extends EventEnvelope {
  @IsUUID()
  agencyId: string;

  /** sha256 hex of the new key. */
  @Matches(/^[0-9a-f]{64}$/, { message: 'must be a sha256 hex digest' })
  apiKeyHash: string;

  /** sha256 hex of the key it replaces. */
  @Matches(/^[0-9a-f]{64}$/, { message: 'must be a sha256 hex digest' })
  previousApiKeyHash: string;

  /** When the replaced key stops working (ISO 8601). */
  @IsDateString()
  previousValidUntil: string;

  /** Orders an agency's rotations: a copy applies an event only if it is newer than what it has. */
  @IsInt()
  @Min(1)
  keyVersion: number;
}
