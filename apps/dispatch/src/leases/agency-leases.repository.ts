import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { pipelinedTransaction, type Statement } from '#database';

/** A lease this instance holds: the agency and the epoch it was taken at (the fencing token). */
export interface HeldLease {
  agencyId: string;
  epoch: number;
}

/** What one heartbeat found and did. */
export interface Beat {
  /** Every lease this instance holds after the beat (renewed or taken now). */
  held: HeldLease[];
  /** Leases taken now, with their previous holder (null for an agency never leased before). */
  taken: Array<HeldLease & { previous: string | null }>;
  /** Leases given up now so that another live instance can take its share. */
  released: string[];
  /** Agencies another instance holds now. */
  elsewhere: string[];
  /** Live instances, this one included. */
  instances: number;
}

/**
 * How many more leases the holder ($1) may take (negative: how many it holds beyond its share): a share is
 * ceil(agencies / live instances), so one instance does not take every agency while another is alive.
 */
const ROOM = `(SELECT ceil((SELECT count(*) FROM dispatch.agencies)::numeric
                           / greatest(1, (SELECT count(*) FROM dispatch.instances WHERE expires_at > now())))::int
                    - (SELECT count(*) FROM dispatch.agency_leases WHERE holder = $1 AND expires_at > now())::int)`;

/**
 * Locks the expired leases (of `$1` only, when given) FOR UPDATE before a claim takes them over in the same
 * transaction: that waits for the old owner's fenced transactions, which hold the rows FOR KEY SHARE (see
 * `fenceStatement`), so none of them commits after the takeover. (ON CONFLICT DO UPDATE alone would lock them
 * FOR NO KEY UPDATE, which a KEY SHARE lock does not hold off; the owner's renewals rely on that.)
 */
const LOCK_EXPIRED = `SELECT agency_id FROM dispatch.agency_leases
  WHERE expires_at <= now() AND ($1::uuid[] IS NULL OR agency_id = ANY($1::uuid[])) ORDER BY agency_id FOR UPDATE`;

/**
 * Takes the leases of agencies that have none or whose lease ran out, as many as the holder's share leaves room
 * for (of `$3` only, when given), after LOCK_EXPIRED. A takeover increments the epoch, and checks the expiry again
 * on the row as it is once locked (a renewal that came first wins).
 */
const CLAIM = `WITH candidates AS (
    SELECT a.id, l.holder AS previous FROM dispatch.agencies a LEFT JOIN dispatch.agency_leases l ON l.agency_id = a.id
     WHERE (l.agency_id IS NULL OR l.expires_at <= now()) AND ($3::uuid[] IS NULL OR a.id = ANY($3::uuid[]))
     ORDER BY random() LIMIT greatest(0, ${ROOM})),
  taken AS (
    INSERT INTO dispatch.agency_leases AS l (agency_id, holder, epoch, expires_at)
    SELECT id, $1, 1, now() + make_interval(secs => $2::double precision) FROM candidates
    ON CONFLICT (agency_id) DO UPDATE SET holder = excluded.holder, epoch = l.epoch + 1, acquired_at = now(), expires_at = excluded.expires_at
     WHERE l.expires_at <= now()
    RETURNING agency_id, epoch)
  SELECT t.agency_id, t.epoch, c.previous FROM taken t JOIN candidates c ON c.id = t.agency_id`;

/** The leases of `dispatch.agency_leases` and the heartbeats of `dispatch.instances`: the only SQL on them. */
@Injectable()
export class AgencyLeasesRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * One heartbeat, in one transaction and one round trip: says the holder is alive for `seconds`, renews the
   * leases it still holds, gives up those beyond its share, takes free or expired ones within its share, and
   * reads who holds the rest.
   */
  async beat(holder: string, seconds: number): Promise<Beat> {
    const [, , renewed, released, , taken, others] = await pipelinedTransaction(this.dataSource, [
      {
        text: `INSERT INTO dispatch.instances (id, expires_at) VALUES ($1, now() + make_interval(secs => $2::double precision))
               ON CONFLICT (id) DO UPDATE SET expires_at = excluded.expires_at`,
        values: [holder, seconds],
      },
      // Heartbeats of instances gone a day: nothing reads them any more.
      { text: `DELETE FROM dispatch.instances WHERE expires_at < now() - interval '1 day'`, values: [] },
      {
        text: `UPDATE dispatch.agency_leases SET expires_at = now() + make_interval(secs => $2::double precision)
                WHERE holder = $1 AND expires_at > now() RETURNING agency_id, epoch`,
        values: [holder, seconds],
      },
      {
        text: `UPDATE dispatch.agency_leases l SET expires_at = now()
                 FROM (SELECT agency_id FROM dispatch.agency_leases WHERE holder = $1 AND expires_at > now()
                        ORDER BY random() LIMIT greatest(0, -${ROOM})) excess
                WHERE l.agency_id = excess.agency_id RETURNING l.agency_id`,
        values: [holder],
      },
      { text: LOCK_EXPIRED, values: [null] },
      { text: CLAIM, values: [holder, seconds, null] },
      {
        text: `SELECT l.agency_id, (SELECT count(*) FROM dispatch.instances WHERE expires_at > now())::int AS instances
                 FROM (SELECT NULL::uuid AS agency_id UNION ALL
                       SELECT agency_id FROM dispatch.agency_leases WHERE holder <> $1 AND expires_at > now()) l`,
        values: [holder],
      },
    ]);
    const gone = new Set(released!.map((row) => row.agency_id as string));
    const takenNow = taken!.map(toTaken);
    return {
      held: [...renewed!.filter((row) => !gone.has(row.agency_id as string)).map(toHeld), ...takenNow.map(({ agencyId, epoch }) => ({ agencyId, epoch }))],
      taken: takenNow,
      released: [...gone],
      elsewhere: others!.flatMap((row) => (row.agency_id ? [row.agency_id as string] : [])),
      instances: Number(others![0]!.instances),
    };
  }

  /** Takes the leases of these agencies that are free or expired, within the holder's share. */
  async claim(holder: string, seconds: number, agencyIds: string[]): Promise<Array<HeldLease & { previous: string | null }>> {
    const [, rows] = await pipelinedTransaction(this.dataSource, [
      { text: LOCK_EXPIRED, values: [agencyIds] },
      { text: CLAIM, values: [holder, seconds, agencyIds] },
    ]);
    return rows!.map(toTaken);
  }

  /** Gives up every lease of the holder and its heartbeat (a clean shutdown): another instance takes them at once. */
  async release(holder: string): Promise<void> {
    await pipelinedTransaction(this.dataSource, [
      { text: `UPDATE dispatch.agency_leases SET expires_at = now() WHERE holder = $1 AND expires_at > now()`, values: [holder] },
      { text: `DELETE FROM dispatch.instances WHERE id = $1`, values: [holder] },
    ]);
  }

  /**
   * The fence: first in a transaction, it aborts the transaction unless the holder still holds each agency's lease
   * at that epoch, unexpired, and keeps those lease rows from being taken over until the transaction ends. A
   * transaction left idle longer than `idleMs` (its process paused) is cut by PostgreSQL.
   */
  fenceStatement(holder: string, leases: HeldLease[], idleMs: number): Statement {
    return {
      text: 'SELECT dispatch.hold_agency_leases($1, $2::uuid[], $3::bigint[], $4::int)',
      values: [holder, leases.map((lease) => lease.agencyId), leases.map((lease) => lease.epoch), Math.max(1, Math.round(idleMs))],
    };
  }
}

function toHeld(row: Record<string, unknown>): HeldLease {
  return { agencyId: row.agency_id as string, epoch: Number(row.epoch) };
}

function toTaken(row: Record<string, unknown>): HeldLease & { previous: string | null } {
  return { ...toHeld(row), previous: (row.previous as string | null) ?? null };
}
