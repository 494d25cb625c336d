import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { RiderPosition } from './rider-presence.store.js';

export interface StoredPosition {
  riderId: string;
  agencyId: string;
  position: RiderPosition;
}

/** `dispatch.rider_positions`: each rider's last accepted position, written in batches. */
@Injectable()
export class RiderPositionsRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Writes many riders' positions in one statement. A row never goes back in time, and a rider that no longer
   * exists is skipped rather than failing everyone else's write.
   */
  async save(positions: Array<{ riderId: string; position: RiderPosition }>): Promise<void> {
    if (positions.length === 0) return;
    await this.dataSource.query(
      `INSERT INTO dispatch.rider_positions (rider_id, lng, lat, reported_at)
       SELECT u.rider_id, u.lng, u.lat, u.reported_at
         FROM unnest($1::uuid[], $2::float8[], $3::float8[], $4::timestamptz[]) AS u (rider_id, lng, lat, reported_at)
        WHERE EXISTS (SELECT 1 FROM dispatch.riders r WHERE r.id = u.rider_id)
        -- Rows (and the riders' key-share locks their foreign key takes) in id order, as every rider lock is taken.
        ORDER BY u.rider_id
       ON CONFLICT (rider_id) DO UPDATE SET lng = EXCLUDED.lng, lat = EXCLUDED.lat, reported_at = EXCLUDED.reported_at
        WHERE dispatch.rider_positions.reported_at <= EXCLUDED.reported_at`,
      [
        positions.map((p) => p.riderId),
        positions.map((p) => p.position.lng),
        positions.map((p) => p.position.lat),
        positions.map((p) => p.position.at.toISOString()),
      ],
    );
  }

  async all(): Promise<StoredPosition[]> {
    const rows: Array<{ riderId: string; agencyId: string; lng: number; lat: number; reportedAt: Date }> = await this.dataSource.query(
      `SELECT p.rider_id AS "riderId", r.agency_id AS "agencyId", p.lng, p.lat, p.reported_at AS "reportedAt"
         FROM dispatch.rider_positions p JOIN dispatch.riders r ON r.id = p.rider_id`,
    );
    return rows.map((row) => ({ riderId: row.riderId, agencyId: row.agencyId, position: { lng: row.lng, lat: row.lat, at: row.reportedAt } }));
  }
}
