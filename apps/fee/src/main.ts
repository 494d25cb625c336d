import 'reflect-metadata';
import { loadConfig } from '#config';
import { resolveDatabase } from '#database';
import { runMain, startService } from '#platform';
import { FEE_API_DOCS } from './fee.api-docs.js';
import { FeeModule } from './fee.module.js';

runMain(async () => {
  const config = loadConfig();
  const database = await resolveDatabase(config);
  await startService({ service: 'fee', module: FeeModule.forRoot(config, database.url), config, apiDocs: FEE_API_DOCS });
});
