import 'reflect-metadata';
import { loadConfig } from '#config';
import { resolveDatabase } from '#database';
import { runMain, startService } from '#platform';
import { DispatchModule } from './dispatch.module.js';

runMain(async () => {
  const config = loadConfig();
  const database = await resolveDatabase(config);
  await startService({ service: 'dispatch', module: DispatchModule.forRoot(config, database.url), config });
});
