import { DataSource, type EntitySchema, type MixedList } from 'typeorm';

export interface ServiceDataSourceOptions {
  url: string;
  /** The service's own schema: it never reads another's. */
  schema: string;
  entities: MixedList<Function | string | EntitySchema>;
  migrations: MixedList<Function | string>;
  poolSize?: number;
  /**
   * Bounds every statement (see DEAD_CONNECTION_GRACE_MS); unset, none is bounded, as for migrations, which may
   * wait for another instance's and build an index for as long as it takes.
   */
  statementTimeoutMs?: number;
}

/**
 * How much longer than the statement timeout a connection may keep a statement unanswered before it is taken as
 * dead. PostgreSQL cancels a statement at the timeout and says so, so a connection silent past that and this
 * margin has lost its way to the server without a word (a partition, a middlebox dropping the flow): waiting on
 * it would hold whatever awaits the statement (a planning round, a lease's work) for as long as TCP takes to give
 * up, up to a quarter of an hour. node-postgres then fails the statement and, in pipeline mode, destroys the
 * connection, failing the statements behind it; the pool opens a new one when next asked.
 */
export const DEAD_CONNECTION_GRACE_MS = 5_000;

/**
 * PostgreSQL's side of the same: a client gone without a word (its instance cut off by a partition, its machine
 * powered off) would otherwise keep its session, and a transaction it had open would hold its row locks, until the
 * operating system's TCP keepalive gives up after two hours and more. A rider's accept holds the rider's and the
 * delivery's rows between its statements: every instance's offers to that rider would wait on them, and fail at
 * their statement timeout, round after round. Probes after 10 s of silence, 5 s apart, four unanswered, and 30 s
 * for data sent to go unacknowledged, end such a session within about half a minute. A client that is alive
 * answers the probes from its kernel, however long it keeps a transaction open (an outbox relay publishing).
 */
const DEAD_CLIENT_SETTINGS = ['-c tcp_keepalives_idle=10', '-c tcp_keepalives_interval=5', '-c tcp_keepalives_count=4', '-c tcp_user_timeout=30000'];

/** A service's data source: its own schema, its own migrations table, and never `synchronize`. */
export function createServiceDataSource(options: ServiceDataSourceOptions): DataSource {
  const bounded = options.statementTimeoutMs !== undefined;
  return new DataSource({
    type: 'postgres',
    url: options.url,
    schema: options.schema,
    entities: options.entities,
    migrations: options.migrations,
    migrationsTableName: `${options.schema}_migrations`,
    migrationsTransactionMode: 'each',
    synchronize: false,
    migrationsRun: false,
    // Pipeline mode: queries on a connection are sent without waiting for the one before to finish. Awaited one
    // at a time, as TypeORM does, nothing changes; `pipelinedTransaction` sends a whole transaction at once.
    // Generic plans for prepared statements from their first run: the hot statements (see `prepared`) take their
    // inputs as arrays and JSON, for which PostgreSQL's custom plans are no better and cost a planning each time.
    // A connection not had within 10 s (the database unreachable, or every connection busy that long) fails the
    // query as DATABASE_UNAVAILABLE (503) instead of holding its request forever; so does a statement past its
    // timeout, or one a dead connection never answers (see DEAD_CONNECTION_GRACE_MS). PostgreSQL ends the session of
    // a client gone without a word (DEAD_CLIENT_SETTINGS).
    extra: {
      max: options.poolSize ?? 10,
      application_name: `baecha-${options.schema}`,
      pipeline: true,
      options: [
        '-c plan_cache_mode=force_generic_plan',
        ...DEAD_CLIENT_SETTINGS,
        ...(bounded ? [`-c statement_timeout=${options.statementTimeoutMs}`] : []),
      ].join(' '),
      connectionTimeoutMillis: 10_000,
      ...(bounded ? { query_timeout: options.statementTimeoutMs! + DEAD_CONNECTION_GRACE_MS } : {}),
    },
  });
}

/**
 * Runs pending migrations. The schema must exist before TypeORM can keep its migrations table there. An
 * advisory lock keeps two instances starting at once from running the same migration twice.
 */
export async function migrate(dataSource: DataSource): Promise<string[]> {
  const schema = (dataSource.options as { schema: string }).schema;
  await dataSource.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`).catch((error: { code?: string }) => {
    // Two services creating the same schema concurrently race on the catalog's unique index.
    if (error.code !== '23505' && error.code !== '42P06') throw error;
  });
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock(hashtext($1))', [`baecha-migrate-${schema}`]);
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    return applied.map((migration) => migration.name);
  } finally {
    await runner.query('SELECT pg_advisory_unlock(hashtext($1))', [`baecha-migrate-${schema}`]).catch(() => undefined);
    await runner.release();
  }
}

/** True when the error is PostgreSQL's unique violation, optionally on a named constraint. */
export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  const e = error as { code?: string; constraint?: string; driverError?: { code?: string; constraint?: string } };
  const code = e?.code ?? e?.driverError?.code;
  const name = e?.constraint ?? e?.driverError?.constraint;
  return code === '23505' && (constraint === undefined || name === constraint);
}
