import type { LngLat } from '#contracts';

/** A geocode remembered: the point, who found it, and when. */
export interface CachedGeocode {
  point: LngLat;
  provider: string;
  geocodedAt: Date;
}

/**
 * Where geocodes are kept so an address seen before still resolves while every provider is down. Keys are
 * normalised addresses (see `normaliseAddress`). A Postgres implementation belongs to the service owning the table.
 */
export interface GeocodeCache {
  get(normalisedAddress: string): Promise<CachedGeocode | undefined>;
  set(normalisedAddress: string, entry: CachedGeocode): Promise<void>;
}

/**
 * The cache key for an address: Unicode NFKC (full-width digits and compatibility jamo folded), whitespace
 * collapsed, case folded, and spaces around punctuation removed, so trivially different spellings share a key.
 */
export function normaliseAddress(address: string): string {
  return address
    .normalize('NFKC')
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .replace(/\s*([,()\-])\s*/g, '$1')
    .trim();
}

/** A bounded in-memory `GeocodeCache`, for tests and single-process use until the Postgres one is wired. */
export class InMemoryGeocodeCache implements GeocodeCache {
  private readonly entries = new Map<string, CachedGeocode>();

  constructor(private readonly maxEntries = 100_000) {}

  async get(normalisedAddress: string): Promise<CachedGeocode | undefined> {
    return this.entries.get(normalisedAddress);
  }

  async set(normalisedAddress: string, entry: CachedGeocode): Promise<void> {
    this.entries.delete(normalisedAddress);
    this.entries.set(normalisedAddress, entry);
    while (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
  }
}
