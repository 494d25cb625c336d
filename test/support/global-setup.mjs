import { existsSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const built = path.resolve(fileURLToPath(import.meta.url), '../../../dist/libs/database/src/embedded-postgres.js');

/**
 * Tests run on a real PostgreSQL: `DATABASE_URL` when set, otherwise one embedded server for the whole run.
 * Each test file then creates its own database (see database.ts), so files never see each other's rows.
 * Jest loads this file outside its module mapping, so it uses the built code (`npm test` builds first).
 */
export default async function globalSetup() {
  if (!process.env.RABBITMQ_URL) {
    console.warn('\n*** RABBITMQ_URL is not set: the tests over RabbitMQ are SKIPPED. Set it to run them. ***\n');
  }
  if (!process.env.REDIS_URL) {
    console.warn('\n*** REDIS_URL is not set: the tests of dispatch instances sharing riders through Redis are SKIPPED. Set it to run them. ***\n');
  }
  if (process.env.DATABASE_URL) {
    process.env.TEST_ADMIN_DATABASE_URL = process.env.DATABASE_URL;
    return;
  }
  if (!existsSync(built)) throw new Error(`${built} is missing: run \`npm run build\` (npm test does it for you)`);
  const { startEmbeddedPostgres } = await import(built);
  const dataDir = await mkdtemp(path.join(tmpdir(), 'baecha-test-'));
  const db = await startEmbeddedPostgres({ dataDir, database: 'postgres' });
  process.env.TEST_ADMIN_DATABASE_URL = db.url;
  globalThis.__embeddedPostgres = { stop: db.stop, dataDir };
}
