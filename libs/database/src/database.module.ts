import { Module, type DynamicModule } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { createServiceDataSource, migrate, type ServiceDataSourceOptions } from './data-source.js';

/**
 * A service's database for Nest: its own schema, migrations run on start, repositories injectable. The migrations
 * run on connections of their own (the lock that keeps instances from migrating at once holds one of the two), with
 * no statement timeout: they may wait for another instance's, or build an index on a large table. The service's
 * statements are bounded by `statementTimeoutMs`.
 */
@Module({})
export class ServiceDatabaseModule {
  static forRoot(options: ServiceDataSourceOptions): DynamicModule {
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
