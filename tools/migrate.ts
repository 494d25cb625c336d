import 'reflect-metadata';
import { loadConfig } from '#config';
import { resolveDatabase } from '#database';
import { runMain } from '#platform';
import { openServiceDatabases } from './service-databases.js';

/** `npm run migrate`: brings every service's schema to the latest migration, then exits. */
runMain(async () => {
  const config = loadConfig();
  const database = await resolveDatabase(config);
  const databases = await openServiceDatabases(database.url);
  console.log(databases.applied.length ? `applied: ${databases.applied.join(', ')}` : 'all schemas are up to date');
  await databases.close();
  await database.stop();
});
