import type { MigrationInterface, QueryRunner } from 'typeorm';
import { PATTERNS } from '#contracts';
import { announceAgencies } from './announce-agencies.js';

/**
 * Agencies and deliveries meet the fee service's tariffs: every agency created before dispatch announced new
 * agencies is announced now, through the outbox like a new one (same event shape as `provisionAgency`), and a
 * delivery fee refuses to price keeps the reason, for its agency to see.
 */
export class DispatchFeeAgencies1764028800000 implements MigrationInterface {
  name = 'DispatchFeeAgencies1764028800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE dispatch.deliveries ADD COLUMN pricing_problem jsonb`);
    await q.query(`ALTER TABLE dispatch.deliveries ADD CONSTRAINT "CHK_dispatch_deliveries_pricing_problem"
      CHECK (pricing_problem IS NULL OR (fee IS NULL AND jsonb_typeof(pricing_problem -> 'code') = 'string'))`);

    // The registration happened when the agency was created, so that is when the event says it occurred (fee
    // dates the agency's first tariff from it).
    await announceAgencies(q, PATTERNS.AGENCY_REGISTERED);
  }

  async down(q: QueryRunner): Promise<void> {
    // The announcements stay: fee may have them already, and takes an agency announced twice as one.
    await q.query(`ALTER TABLE dispatch.deliveries DROP COLUMN pricing_problem`);
  }
}
