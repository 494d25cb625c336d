import type pg from 'pg';
import type { DataSource } from 'typeorm';

/** One SQL statement and its parameters. */
export interface Statement {
  text: string;
  values?: unknown[];
}

/**
 * The pg pool under a service's data source: the same connections TypeORM uses. They run in pipeline mode (see
 * createServiceDataSource), which changes nothing for a caller that awaits each query and lets
 * `pipelinedTransaction` send several at once.
 */
export function poolOf(dataSource: DataSource): pg.Pool {
  return (dataSource.driver as unknown as { master: pg.Pool }).master;
}

/**
 * Runs `statements` as one transaction in one round trip: BEGIN, the statements and COMMIT are written at once on
 * one connection, and PostgreSQL runs them one after another. A transaction of six statements then waits for the
 * database once instead of six times, which under load is most of its time. The price: no statement may need
 * another's result in code. Each must find in the database what the ones before it did (an insert joined to the
 * rows a previous statement locked, say), so write them to read their inputs from the tables, not from the
 * earlier answers. If any statement fails, none of it is kept and the first error is thrown. Returns the rows of
 * each statement, in order.
 */
export async function pipelinedTransaction(dataSource: DataSource, statements: Statement[]): Promise<Array<Array<Record<string, unknown>>>> {
  const client = await poolOf(dataSource).connect();
  let broken: unknown;
  try {
    // Sent together; after a failure PostgreSQL refuses the rest (the transaction is aborted) and COMMIT rolls back.
    const settled = await Promise.allSettled([
      client.query('BEGIN'),
      ...statements.map((statement) => client.query<Record<string, unknown>>(statement.text, statement.values)),
      client.query('COMMIT'),
    ]);
    const failure = settled.find((result) => result.status === 'rejected');
    // A failed BEGIN or COMMIT leaves the connection in doubt: it is not handed to anyone else.
    if (settled[0]!.status === 'rejected' || settled[settled.length - 1]!.status === 'rejected') broken = failure!.reason;
    if (failure) throw failure.reason;
    return settled.slice(1, -1).map((result) => (result as PromiseFulfilledResult<pg.QueryResult<Record<string, unknown>>>).value.rows);
  } finally {
    client.release(broken !== undefined);
  }
}
