import { Global, Module, type DynamicModule } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '#config';
import { ServiceDatabaseModule } from '#database';
import { MAP_CHAIN, type MapChain } from '#maps';
import { Messaging } from '#messaging';
import { databaseCheck, HEALTH_CHECKS, HealthController, ObservabilityModule, PlatformModule } from '#platform';
import { AgenciesModule } from './agencies/agencies.module.js';
import { ChargesModule } from './charges/charges.module.js';
import { FEE_DATABASE } from './fee.database.js';
import { GeocodingModule } from './geocoding/geocoding.module.js';
import { MetricsModule } from './metrics/metrics.module.js';
import { QuotesModule } from './quotes/quotes.module.js';
import { ReconciliationModule } from './reconciliation/reconciliation.module.js';
import { mapProvidersCheck, RoutingModule } from './routing/routing.module.js';
import { SettlementsModule } from './settlements/settlements.module.js';
import { TariffCache, tariffChangesCheck } from './tariffs/tariff.cache.js';
import { TariffsModule } from './tariffs/tariffs.module.js';

/** The fee service: prices deliveries by road distance through the map chain and keeps every quote it gave. */
@Global()
@Module({})
export class FeeModule {
  static forRoot(config: AppConfig, databaseUrl: string): DynamicModule {
    return {
      module: FeeModule,
      imports: [
        PlatformModule,
        ObservabilityModule.forService('fee', config),
        ServiceDatabaseModule.forService(FEE_DATABASE, databaseUrl, config),
        RoutingModule,
        AgenciesModule,
        TariffsModule,
        QuotesModule,
        GeocodingModule,
        MetricsModule,
        ChargesModule,
        ReconciliationModule,
        SettlementsModule,
      ],
      controllers: [HealthController],
      providers: [
        { provide: APP_CONFIG, useValue: config },
        Messaging,
        {
          provide: HEALTH_CHECKS,
          useFactory: (ds: DataSource, messaging: Messaging, maps: MapChain, tariffs: TariffCache) => [
            databaseCheck(ds),
            ...messaging.healthChecks(['fee']),
            mapProvidersCheck(maps),
            tariffChangesCheck(tariffs),
          ],
          inject: [DataSource, Messaging, MAP_CHAIN, TariffCache],
        },
      ],
      exports: [APP_CONFIG, Messaging],
    };
  }
}
