import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { queryPrepared } from '#database';
import type { Tariff } from './tariff.js';
import { TariffVersionEntity } from './tariff-version.entity.js';

@Injectable()
export class TariffsRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Locks the agency's tariff until `manager`'s transaction ends: a change that reads the version in force after
   * taking it builds on every change committed before, and the next waits for it.
   */
  async lock(manager: EntityManager, agencyId: string): Promise<void> {
    await manager.query('SELECT 1 FROM fee.agencies WHERE id = $1 FOR UPDATE', [agencyId]);
  }

  /**
   * Adds the agency's next version. The agency row is locked first, so two changes at once get consecutive
   * numbers instead of one failing on the key. Every fee instance is told of it as the transaction commits
   * (TARIFF_CHANGES), so none keeps pricing by what it remembered.
   */
  async insertNext(manager: EntityManager, agencyId: string, effectiveFrom: Date, tariff: Tariff): Promise<TariffVersionEntity> {
    await this.lock(manager, agencyId);
    const [row]: TariffVersionRow[] = await manager.query(
      `INSERT INTO fee.tariff_versions (agency_id, version, effective_from, tariff)
       SELECT $1, coalesce(max(version), 0) + 1, $2, $3 FROM fee.tariff_versions WHERE agency_id = $1
       RETURNING ${COLUMNS}`,
      [agencyId, effectiveFrom, tariff],
    );
    await manager.query('SELECT pg_notify($1, $2)', [TARIFF_CHANGES, agencyId]);
    return fromRow(row);
  }

  /**
   * The agency's versions that matter from `now` on: the one in force now and every one scheduled after it,
   * soonest first (of two from the same moment, the older first). Empty for an agency with no version at all.
   */
  async timeline(agencyId: string, now: Date): Promise<Array<{ version: number; effectiveFrom: Date }>> {
    const rows = (await queryPrepared(this.dataSource, {
      text: `SELECT version, effective_from FROM fee.tariff_versions
              WHERE agency_id = $1
                AND (effective_from > $2 OR version = (SELECT version FROM fee.tariff_versions WHERE ${IN_FORCE}))
              ORDER BY effective_from, version`,
      values: [agencyId, now],
    })) as Array<{ version: number; effective_from: Date }>;
    return rows.map((row) => ({ version: row.version, effectiveFrom: row.effective_from }));
  }

  /**
   * The version in force at `at`: the latest to take effect by then (of two taking effect at once, the newer).
   * Pass the `manager` of a transaction that holds the agency's `lock` to read what a change will build on.
   */
  async inForce(agencyId: string, at: Date, manager: EntityManager = this.dataSource.manager): Promise<TariffVersionEntity | undefined> {
    const rows: TariffVersionRow[] = await manager.query(`SELECT ${COLUMNS} FROM fee.tariff_versions WHERE ${IN_FORCE}`, [agencyId, at]);
    return rows[0] && fromRow(rows[0]);
  }

  /** Only the number of the version in force at `at`, for a caller that keeps versions' terms itself. */
  async versionInForce(agencyId: string, at: Date): Promise<number | undefined> {
    const rows = (await queryPrepared(this.dataSource, { text: `SELECT version FROM fee.tariff_versions WHERE ${IN_FORCE}`, values: [agencyId, at] })) as Array<{ version: number }>;
    return rows[0]?.version;
  }

  /** Versions that take effect after `at`, soonest first. */
  async scheduledAfter(agencyId: string, at: Date): Promise<TariffVersionEntity[]> {
    const rows: TariffVersionRow[] = await this.dataSource.query(
      `SELECT ${COLUMNS} FROM fee.tariff_versions WHERE agency_id = $1 AND effective_from > $2 ORDER BY effective_from, version`,
      [agencyId, at],
    );
    return rows.map(fromRow);
  }

  /** Every version, newest first. */
  async history(agencyId: string): Promise<TariffVersionEntity[]> {
    const rows: TariffVersionRow[] = await this.dataSource.query(`SELECT ${COLUMNS} FROM fee.tariff_versions WHERE agency_id = $1 ORDER BY version DESC`, [agencyId]);
    return rows.map(fromRow);
  }

  async find(agencyId: string, version: number): Promise<TariffVersionEntity | undefined> {
    const rows: TariffVersionRow[] = await this.dataSource.query(`SELECT ${COLUMNS} FROM fee.tariff_versions WHERE agency_id = $1 AND version = $2`, [agencyId, version]);
    return rows[0] && fromRow(rows[0]);
  }
}

const COLUMNS = 'agency_id, version, effective_from, tariff, created_at';

/** The channel every change of a tariff is announced on, with the agency's id (see `insertNext`). */
export const TARIFF_CHANGES = 'fee_tariff_changes';

/** The version in force at $2 for agency $1 (uses IDX_fee_tariff_versions_in_force). */
const IN_FORCE = 'agency_id = $1 AND effective_from <= $2 ORDER BY effective_from DESC, version DESC LIMIT 1';

interface TariffVersionRow {
  agency_id: string;
  version: number;
  effective_from: Date;
  tariff: Tariff;
  created_at: Date;
}

function fromRow(row: TariffVersionRow): TariffVersionEntity {
  return { agencyId: row.agency_id, version: row.version, effectiveFrom: row.effective_from, tariff: row.tariff, createdAt: row.created_at };
}
