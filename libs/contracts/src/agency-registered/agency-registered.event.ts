import { IsString, IsUUID, Length, Matches } from 'class-validator';
import { EventEnvelope } from '../common/event.js';

/**
 * Emitted by dispatch when an agency is created. The fee service keeps its own copy, so it can check the agency's
 * key on the tariff and settlement API and give the agency its first tariff without asking dispatch.
 */
export const AGENCY_REGISTERED = 'agency.registered';

/**
 * The same announcement, payload and all, for order-intake: it keeps each agency's key hash so an agency's
 * operators can enter orders by hand for its restaurants (docs/agency-api.md#entering-an-order).
 */
export const AGENCY_REGISTERED_FOR_INTAKE = 'agency.registered.intake';

export class AgencyRegisteredEvent extends EventEnvelope {
  @IsUUID()
  agencyId: string;

  @IsString()
  @Length(1, 200)
  name: string;

  /** sha256 hex of the agency's API key; the key itself never travels. */
  @Matches(/^[0-9a-f]{64}$/, { message: 'must be a sha256 hex digest' })
  apiKeyHash: string;
}
