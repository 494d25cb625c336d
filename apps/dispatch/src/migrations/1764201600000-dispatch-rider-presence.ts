import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Each rider's last reported position, written in batches by the presence store so the agency's board still
 * knows where riders were after a restart, and a rider reconnecting within a minute is matched at once.
 */
export class DispatchRiderPresence1764201600000 implements MigrationInterface {
  name = 'DispatchRiderPresence1764201600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE dispatch.rider_positions (
      rider_id uuid PRIMARY KEY CONSTRAINT "FK_dispatch_rider_positions_rider" REFERENCES dispatch.riders (id) ON DELETE CASCADE,
      lng double precision NOT NULL,
      lat double precision NOT NULL,
      reported_at timestamptz NOT NULL,
      CONSTRAINT "CHK_dispatch_rider_positions_korea" CHECK (lng BETWEEN 124 AND 132 AND lat BETWEEN 33 AND 39)
    )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE dispatch.rider_positions`);
  }
}
