import type { DataSource } from 'typeorm';
import { DISPATCH_DATABASE } from '../apps/dispatch/src/dispatch.database.js';
import { FEE_DATABASE } from '../apps/fee/src/fee.database.js';
import { INTAKE_DATABASE } from '../apps/order-intake/src/intake.database.js';
import { createServiceDataSource, migrate } from '#database';

export const SERVICE_DATABASES = { intake: INTAKE_DATABASE, dispatch: DISPATCH_DATABASE, fee: FEE_DATABASE } as const;

export type ServiceDataSources = Record<keyof typeof SERVICE_DATABASES, DataSource>;

/** Opens each service's data source on its own schema and brings it to the latest migration. */
export async function openServiceDatabases(url: string): Promise<ServiceDataSources & { close(): Promise<void>; applied: string[] }> {
  const applied: string[] = [];
  const open = async (descriptor: (typeof SERVICE_DATABASES)[keyof typeof SERVICE_DATABASES]) => {
    const dataSource = await createServiceDataSource({ url, ...descriptor, poolSize: 2 }).initialize();
    applied.push(...(await migrate(dataSource)));
    return dataSource;
  };
  const intake = await open(SERVICE_DATABASES.intake);
  const dispatch = await open(SERVICE_DATABASES.dispatch);
  const fee = await open(SERVICE_DATABASES.fee);
  return {
    intake,
    dispatch,
    fee,
    applied,
    close: async () => {
      await Promise.all([intake.destroy(), dispatch.destroy(), fee.destroy()]);
    },
  };
}
