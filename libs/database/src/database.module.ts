import { Module, type DynamicModule } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource, type DataSourceOptions } from 'typeorm';
import type { AppConfig } from '#config';
import { createServiceDataSource, migrate, type ServiceDataSourceOptions } from './data-source.js';

/**
 * A service's database for Nest: its own schema, migrations run on start, repositories injectable. The migrations
 * run on connections of their own (the lock that keeps instances from migrating at once holds one of the two), with
 * no statement timeout: they may wait for another instance's, or build an index on a large table. The service's
 * statements are bounded by DATABASE_STATEMENT_TIMEOUT_MS.
 */
@Module({})
export class ServiceDatabaseModule {
  /** A service's database at `url` with its schema and migrations (`descriptor`), sized and bounded by the configuration. */
  static forService(
    descriptor: Omit<ServiceDataSourceOptions, 'url' | 'poolSize' | 'statementTimeoutMs'>,
    url: string,
    config: Pick<AppConfig, 'databasePoolSize' | 'databaseStatementTimeoutMs'>,
  ): DynamicModule {
    const options: ServiceDataSourceOptions = { ...descriptor, url, poolSize: config.databasePoolSize, statementTimeoutMs: config.databaseStatementTimeoutMs };
    return {
      module: ServiceDatabaseModule,
      imports: [
        TypeOrmModule.forRootAsync({
          useFactory: () => createServiceDataSource(options).options as DataSourceOptions,
          dataSourceFactory: async (dataSourceOptions) => {
            const migrations = await createServiceDataSource({ ...options, poolSize: 2, statementTimeoutMs: undefined }).initialize();
            try {
              await migrate(migrations);
            } finally {
              await migrations.destroy();
            }
            return new DataSource(dataSourceOptions!).initialize();
          },
        }),
      ],
    };
  }
}
