import 'reflect-metadata';
import { loadConfig } from '#config';
import { resolveDatabase } from '#database';
import { runMain, startService } from '#platform';
import { INTAKE_API_DOCS } from './intake.api-docs.js';
import { IntakeModule } from './intake.module.js';

runMain(async () => {
  const config = loadConfig();
  const database = await resolveDatabase(config);
  // Signatures cover the exact bytes of a body, so the orders controller reads bodies itself.
  await startService({ service: 'intake', module: IntakeModule.forRoot(config, database.url), config, bodyParser: false, apiDocs: INTAKE_API_DOCS });
});
