import type { INestApplication } from '@nestjs/common';
import type { AppConfig } from '#config';
import { ClientProxyFactory, type ClientProxy } from '@nestjs/microservices';
import { clientOptions } from '#messaging';
import { startService } from '#platform';
import { createTestDatabase } from '../../../test/support/database.js';
import { testConfig } from '../../../test/support/config.js';
import { registerAgency, type TestAgency } from './agencies.js';
import { FeeModule } from '../src/fee.module.js';

export interface TestFeeService {
  db: Awaited<ReturnType<typeof createTestDatabase>>;
  config: AppConfig;
  app: INestApplication;
  /** The fee service's message transport, as dispatch reaches it. */
  client: ClientProxy;
  /** An agency registered by its event, with the default tariff. */
  agency: TestAgency;
  close(): Promise<void>;
}

/** The fee service on a fresh database with `env` on top of the test configuration, and one agency registered. */
export async function startFeeService(env: Record<string, string> = {}): Promise<TestFeeService> {
  const db = await createTestDatabase();
  const config = await testConfig(env);
  const app = await startService({ service: 'fee', module: FeeModule.forRoot(config, db.url), config });
  const client = ClientProxyFactory.create(clientOptions(config, 'fee'));
  const agency = await registerAgency(client);
  return {
    db,
    config,
    app,
    client,
    agency,
    close: async () => {
      await client.close();
      await app.close();
      await db.drop();
    },
  };
}
