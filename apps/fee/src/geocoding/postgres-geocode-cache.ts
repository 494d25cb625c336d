import type { Repository } from 'typeorm';
import type { CachedGeocode, GeocodeCache } from '#maps';
import type { GeocodeCacheEntity } from './geocode-cache.entity.js';

/**
 * The map chain's geocode cache in `fee.geocode_cache`, shared by every fee instance and kept across restarts,
 * so an address seen before still resolves during an outage. The chain hands it normalised keys only; the key
 * is stored as the address too, since the chain does not pass the original spelling.
 */
export class PostgresGeocodeCache implements GeocodeCache {
  constructor(private readonly rows: Repository<GeocodeCacheEntity>) {}

  async get(normalisedAddress: string): Promise<CachedGeocode | undefined> {
    const row = await this.rows.findOneBy({ addressKey: normalisedAddress });
    return row ? { point: { lng: row.lng, lat: row.lat }, provider: row.provider, geocodedAt: row.geocodedAt } : undefined;
  }

  /** Upsert: a newer answer for the same address replaces the older one. */
  async set(normalisedAddress: string, entry: CachedGeocode): Promise<void> {
    await this.rows.upsert(
      {
        addressKey: normalisedAddress,
        address: normalisedAddress,
        lng: entry.point.lng,
        lat: entry.point.lat,
        provider: entry.provider,
        geocodedAt: entry.geocodedAt,
      },
      { conflictPaths: ['addressKey'] },
    );
  }
}
