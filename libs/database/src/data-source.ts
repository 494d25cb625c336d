import { DataSource, type EntitySchema, type MixedList } from 'typeorm';

export interface ServiceDataSourceOptions {
  url: string;
  /** The service's own schema: it never reads another's. */
  schema: string;
  entities: MixedList<Function | string | EntitySchema>;
  migrations: MixedList<Function | string>;
  poolSize?: number;
}

/** A service's data source: its own schema, its own migrations table, and never `synchronize`. */
export function createServiceDataSource(options: ServiceDataSourceOptions): DataSource {
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
    // query as DATABASE_UNAVAILABLE (503) instead of holding its request forever.
    extra: {
      max: options.poolSize ?? 10,
      application_name: `baecha-${options.schema}`,
      pipeline: true,
      options: '-c plan_cache_mode=force_generic_plan',
      connectionTimeoutMillis: 10_000,
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
