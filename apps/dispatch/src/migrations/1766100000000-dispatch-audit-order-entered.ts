import type { MigrationInterface, QueryRunner } from 'typeorm';

/** An order entered on the dashboard is audited once, however often the operator's browser retries it. */
export class DispatchAuditOrderEntered1766100000000 implements MigrationInterface {
  name = 'DispatchAuditOrderEntered1766100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE UNIQUE INDEX "UQ_dispatch_audit_log_order_entered" ON dispatch.audit_log (agency_id, subject) WHERE action = 'order.entered'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP INDEX dispatch."UQ_dispatch_audit_log_order_entered"');
  }
}
