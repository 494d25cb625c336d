import type { MigrationInterface, QueryRunner } from 'typeorm';
import { PATTERNS } from '#contracts';
import { announceAgencies } from './announce-agencies.js';

/**
 * Order-intake learns every agency's key hash, so operators can enter orders by hand: agencies created before
 * dispatch announced them to intake are announced now, through the outbox like a new one.
 */
export class DispatchAgenciesToIntake1765500000000 implements MigrationInterface {
  name = 'DispatchAgenciesToIntake1765500000000';

  async up(q: QueryRunner): Promise<void> {
    await announceAgencies(q, PATTERNS.AGENCY_REGISTERED_FOR_INTAKE);
  }

  async down(): Promise<void> {
    // The announcements stay: intake takes an agency announced twice as one.
  }
}
