import { createHash } from 'node:crypto';
import type pg from 'pg';
import { EntityManager, type DataSource } from 'typeorm';
import { jsonUtf8 } from '#contracts';

/** One SQL statement and its parameters. */
export interface Statement {
  text: string;
  values?: unknown[];
}

/**
 * The statement as a named (prepared) one: its name is taken from its text, so each connection parses and plans a
 * hot statement once rather than on every call, and PostgreSQL soon settles on a generic plan. For statements whose
 * text is fixed by the call site (their inputs in parameters, arrays and JSON rather than in the text), or the
 * connection would keep one prepared statement per text it ever saw.
 */
export function prepared(statement: Statement): pg.QueryConfig {
  let name = names.get(statement.text);
  if (!name) names.set(statement.text, (name = `baecha_${createHash('sha1').update(statement.text).digest('base64url').slice(0, 20)}`));
  return { name, text: statement.text, values: statement.values };
}

/** Each statement's name, hashed once: the texts are the call sites' few, and every hot query asks. */
const names = new Map<string, string>();

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
 * earlier answers. Each is sent as a prepared statement (see `prepared`), so its text must be fixed by its call site.
 * If any statement fails, none of it is kept and the first error is thrown. Returns the rows of each statement, in
 * order.
 */
export async function pipelinedTransaction(dataSource: DataSource, statements: Statement[]): Promise<Array<Array<Record<string, unknown>>>> {
  const client = await poolOf(dataSource).connect();
  let broken: unknown;
  // A connection lost meanwhile fails the statements sent; its 'error' event, unheard, would end the process.
  const lost = (error: unknown) => (broken = error);
  client.on('error', lost);
  try {
    // Sent together; after a failure PostgreSQL refuses the rest (the transaction is aborted) and COMMIT rolls back.
    const settled = await Promise.allSettled([
      client.query('BEGIN'),
      ...statements.map((statement) => client.query<Record<string, unknown>>(prepared(statement))),
      client.query('COMMIT'),
    ]);
    const failure = settled.find((result) => result.status === 'rejected');
    // A failed BEGIN or COMMIT leaves the connection in doubt: it is not handed to anyone else.
    if (settled[0]!.status === 'rejected' || settled[settled.length - 1]!.status === 'rejected') broken = failure!.reason;
    if (failure) throw failure.reason;
    return settled.slice(1, -1).map((result) => (result as PromiseFulfilledResult<pg.QueryResult<Record<string, unknown>>>).value.rows);
  } finally {
    client.off('error', lost);
    client.release(broken !== undefined);
  }
}

/**
 * Runs a statement as a prepared one (see `prepared`) in the manager's transaction if it is in one, else on a
 * connection of the pool; returns its rows. For hot statements that TypeORM's `query` would parse and plan anew
 * on every call.
 */
export async function queryPrepared(on: EntityManager | DataSource, statement: Statement): Promise<Array<Record<string, unknown>>> {
  const runner = on instanceof EntityManager ? on.queryRunner : undefined;
  const dataSource = on instanceof EntityManager ? on.connection : on;
  const client = runner && !runner.isReleased ? (runner as unknown as { databaseConnection?: pg.PoolClient }).databaseConnection : undefined;
  const result = client ? await client.query<Record<string, unknown>>(prepared(statement)) : await poolOf(dataSource).query<Record<string, unknown>>(prepared(statement));
  return result.rows;
}

/**
 * `ANY(…)` of one field of a JSON array parameter, to join rows passed as JSON (`jsonb_to_recordset`) to a table by
 * its key: `d.id = step.id AND d.id = ${keysIn('$1', 'id')}`. PostgreSQL takes such a function for 100 rows and, with
 * a generic plan, joins a table of a few thousand rows (the day's deliveries so far) by reading it whole, on every
 * statement and more so as the day goes on; a condition naming the keys themselves lets it look them up by the key's
 * index instead.
 */
export function keysIn(param: string, field: string, type = 'uuid'): string {
  return `ANY(ARRAY(SELECT (e->>'${field}')::${type} FROM jsonb_array_elements(${param}::jsonb) AS e))`;
}

/** The version byte that opens a `jsonb` value in PostgreSQL's binary format; the JSON text follows it. */
const JSONB_BINARY_VERSION = Buffer.of(1);

/**
 * A value for a `$n::jsonb` parameter, sent in PostgreSQL's binary format (a version byte, then the JSON text in
 * UTF-8) and encoded in pieces (see `jsonUtf8`): for rows passed as one JSON array, which as one string cost more
 * to encode than to store.
 */
export function jsonbParam(value: unknown): Buffer {
  return jsonUtf8(value, JSONB_BINARY_VERSION);
}
