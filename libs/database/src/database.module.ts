import { Module, type DynamicModule } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { createServiceDataSource, migrate, type ServiceDataSourceOptions } from './data-source.js';

/** A service's database for Nest: its own schema, migrations run on start, repositories injectable. */
@Module({})
export class ServiceDatabaseModule {
  static forRoot(options: ServiceDataSourceOptions): DynamicModule {
    return {
      module: ServiceDatabaseModule,
      imports: [
        TypeOrmModule.forRootAsync({
          useFactory: () => createServiceDataSource(options).options as DataSourceOptions,
          dataSourceFactory: async (dataSourceOptions) => {
            const dataSource = await new DataSource(dataSourceOptions!).initialize();
            await migrate(dataSource);
            return dataSource;
          },
        }),
      ],
    };
  }
}
