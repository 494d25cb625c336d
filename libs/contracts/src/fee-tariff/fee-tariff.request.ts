import { IsIn, IsOptional, IsString, IsUUID, Length } from 'class-validator';

/**
 * Request/reply to fee, which owns tariffs: an agency's read or change of its own tariff, sent by dispatch for the
 * routes operators reach with their session. Fee takes a change exactly as its own `PUT /v1/agencies/{agencyId}/tariff`
 * (and `…/tariff/weather`) takes it, and answers a domain error as those routes do (`TARIFF_INVALID` naming every
 * field, `NO_TARIFF` when fee does not know the agency or it has no tariff).
 */
export const FEE_TARIFF = 'fee.tariff';

/** `current` and `versions` read; `replace`, `weather-on` and `weather-off` each write one new version. */
export const FEE_TARIFF_ACTIONS = ['current', 'versions', 'replace', 'weather-on', 'weather-off'] as const;
export type FeeTariffAction = (typeof FEE_TARIFF_ACTIONS)[number];

export class FeeTariffRequest {
  @IsUUID()
  agencyId: string;

  @IsIn(FEE_TARIFF_ACTIONS)
  action: FeeTariffAction;

  /** The JSON text of the body the agency sent, for `replace` and `weather-on`; fee reads it as its HTTP route does. */
  @IsOptional()
  @IsString()
  @Length(1, 1_000_000)
  body?: string;
}

/** One version of an agency's tariff, as fee's tariff API shows it. */
export interface FeeTariffVersion {
  agencyId: string;
  version: number;
  effectiveFrom: string;
  createdAt: string;
  tariff: object;
}

/** Fee's answer to a change: the new version, and the terms of the version before it (null for the first). */
export interface FeeTariffChanged {
  tariff: FeeTariffVersion;
  previous: { version: number; tariff: object } | null;
}
