import type { DataSource } from 'typeorm';
import { createServiceDataSource, migrate } from '#database';
import { createTestDatabase } from '../../../test/support/database.js';
import { DISPATCH_DATABASE } from '../src/dispatch.database.js';

/** A fresh database with dispatch's migrations run and no service on it, for tests of what the admin CLI writes. */
export async function migratedDispatchDatabase(): Promise<{ dataSource: DataSource; close(): Promise<void> }> {
  const db = await createTestDatabase();
  const dataSource = createServiceDataSource({ url: db.url, ...DISPATCH_DATABASE });
  await dataSource.initialize();
  await migrate(dataSource);
  return {
    dataSource,
    close: async () => {
      await dataSource.destroy();
      await db.drop();
    },
  };
}
