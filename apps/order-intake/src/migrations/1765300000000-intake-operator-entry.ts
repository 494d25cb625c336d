import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Orders an agency's operator enters by hand: the agencies whose keys may enter them (learnt from dispatch), who
 * entered each order (the operator's own id once operators have accounts), and how the customer pays.
 */
export class IntakeOperatorEntry1765300000000 implements MigrationInterface {
  name = 'IntakeOperatorEntry1765300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE intake.agencies (
      id uuid PRIMARY KEY,
      api_key_hash text NOT NULL CONSTRAINT "UQ_intake_agencies_api_key_hash" UNIQUE,
      registered_at timestamptz NOT NULL DEFAULT now()
    )`);
    await q.query(`ALTER TABLE intake.orders
      ADD COLUMN entered_by text NOT NULL DEFAULT 'restaurant'
        CONSTRAINT "CHK_intake_orders_entered_by" CHECK (entered_by IN ('restaurant', 'operator')),
      ADD COLUMN entered_by_operator_id uuid,
      ADD COLUMN payment_method text CONSTRAINT "CHK_intake_orders_payment_method" CHECK (payment_method IN ('prepaid', 'cash', 'card')),
      ADD COLUMN payment_collect_amount integer,
      ADD CONSTRAINT "CHK_intake_orders_payment_collect" CHECK ((payment_method IS NULL) = (payment_collect_amount IS NULL))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE intake.orders DROP CONSTRAINT "CHK_intake_orders_payment_collect",
      DROP COLUMN entered_by, DROP COLUMN entered_by_operator_id, DROP COLUMN payment_method, DROP COLUMN payment_collect_amount`);
    await q.query('DROP TABLE intake.agencies');
  }
}
