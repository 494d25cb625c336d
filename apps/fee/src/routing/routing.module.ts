import { Global, Inject, Injectable, Module, type OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '#config';
import { createMapChain, MAP_CHAIN, type MapChain } from '#maps';
import type { HealthCheck } from '#platform';
import { DataSource } from 'typeorm';
import { GeocodeCacheEntity } from '../geocoding/geocode-cache.entity.js';
import { PostgresGeocodeCache } from '../geocoding/postgres-geocode-cache.js';

/** Stops the breakers' timers with the service. */
@Injectable()
class MapChainShutdown implements OnApplicationShutdown {
  constructor(@Inject(MAP_CHAIN) private readonly chain: MapChain) {}
  onApplicationShutdown(): void {
    this.chain.close();
  }
}

/**
 * The map chain in /health: each provider's breaker state, last error and counts. An open breaker makes the
 * service `degraded` (quotes still flow, through the next provider or the Turf estimate), never `down`.
 */
export function mapProvidersCheck(chain: MapChain): HealthCheck {
  return {
    name: 'map-providers',
    critical: false,
    check: async () => {
      const providers = chain.health();
      const open = providers.filter((p) => p.state === 'open');
      if (open.length > 0) {
        throw Object.assign(new Error(`breaker open: ${open.map((p) => `${p.provider} ${p.capability}`).join(', ')}`), { detail: { providers } });
      }
      return { providers };
    },
  };
}

/** One map chain per process: its breakers must see every call to a provider. */
@Global()
@Module({
  providers: [
    {
      provide: MAP_CHAIN,
      // Geocodes are kept in Postgres, so addresses seen before still resolve while every provider is down.
      useFactory: (config: AppConfig, dataSource: DataSource) =>
        createMapChain(config.maps, { geocodeCache: new PostgresGeocodeCache(dataSource.getRepository(GeocodeCacheEntity)) }),
      inject: [APP_CONFIG, DataSource],
    },
    MapChainShutdown,
  ],
  exports: [MAP_CHAIN],
})
export class RoutingModule {}
