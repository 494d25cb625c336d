import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { EmbeddedDatabase } from '#database';
import { queryRows } from '../test/support/database.js';
import { eventually } from '../test/support/eventually.js';
import { superviseEmbeddedPostgres } from './database-supervisor.js';

const postmasterPid = (dataDir: string) => Number(readFileSync(path.join(dataDir, 'postgres', 'postmaster.pid'), 'utf8').split('\n')[0]);

describe('superviseEmbeddedPostgres (a real embedded PostgreSQL)', () => {
  let dataDir: string;
  let db: EmbeddedDatabase;
  const log: string[] = [];

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'baecha-supervised-'));
    db = await superviseEmbeddedPostgres({ dataDir, database: 'supervised', log: (line) => log.push(line) });
  }, 60_000);

  afterAll(async () => {
    await db?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  }, 60_000);

  it('restarts a postmaster killed with SIGKILL on the same port and data, and says so; committed rows survive', async () => {
    await queryRows(db.url, 'CREATE TABLE kept (id int PRIMARY KEY)');
    await queryRows(db.url, 'INSERT INTO kept VALUES (1), (2)');
    const killed = postmasterPid(dataDir);

    process.kill(killed, 'SIGKILL');
    await eventually(async () => (log.some((line) => line.includes(`(pid ${killed}) killed by SIGKILL: restarting`)) ? true : undefined), 'the restart to be announced');
    // The same URL answers again, from a new postmaster that replayed the WAL.
    const rows = await eventually(async () => queryRows<{ id: number }>(db.url, 'SELECT id FROM kept ORDER BY id'), 'the database back', 30_000);
    expect(rows).toEqual([{ id: 1 }, { id: 2 }]);
    expect(postmasterPid(dataDir)).not.toBe(killed);
    await eventually(async () => (log.some((line) => line.startsWith('embedded PostgreSQL restarted')) ? true : undefined), 'the restart to be reported');
  }, 60_000);
});
