import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The planner's latest decision on each delivery (offered to whom and why, or held and why), for the board.
 * Null until a planning round has looked at the delivery.
 */
export class DispatchDeliveryDecisions1765300000000 implements MigrationInterface {
  name = 'DispatchDeliveryDecisions1765300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE dispatch.deliveries ADD COLUMN dispatch_decision jsonb`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE dispatch.deliveries DROP COLUMN dispatch_decision`);
  }
}
