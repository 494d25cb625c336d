import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { GroupCommit, jsonbParam, queryPrepared } from '#database';
import type { QuoteEntity } from './quote.entity.js';

/** A quote to store, as its row (`tariff` and `created_at` are filled in by the statement). */
export type QuoteRow = Omit<QuoteEntity, 'createdAt' | 'tariff'>;

/**
 * Stores quotes, each only if the tariff version it was priced by is still the one the database has in force at
 * its moment: a change of the tariff committed before the quote is stored is never priced around. One statement
 * for any number of quotes, prepared once per connection, the rows passed as one JSON array.
 */
const INSERT = `
  INSERT INTO fee.quotes (id, order_id, agency_id, pickup_lng, pickup_lat, dropoff_lng, dropoff_lat, distance_meters, duration_seconds,
                          provider, estimated, detour_factor, factor_source, cached, attempts, tariff, tariff_version, priced_at,
                          distance_basis, total, items, rider_pay, rider_pay_items)
  SELECT q.id, q.order_id, q.agency_id, q.pickup_lng, q.pickup_lat, q.dropoff_lng, q.dropoff_lat, q.distance_meters, q.duration_seconds,
         q.provider, q.estimated, q.detour_factor, q.factor_source, q.cached, q.attempts, 'version ' || q.tariff_version, q.tariff_version,
         q.priced_at, q.distance_basis, q.total, q.items, q.rider_pay, q.rider_pay_items
    FROM jsonb_to_recordset($1::jsonb) AS q(id uuid, order_id text, agency_id uuid, pickup_lng float8, pickup_lat float8, dropoff_lng float8,
         dropoff_lat float8, distance_meters int, duration_seconds int, provider text, estimated boolean, detour_factor numeric,
         factor_source text, cached boolean, attempts jsonb, tariff_version int, priced_at timestamptz, distance_basis text, total int,
         items jsonb, rider_pay int, rider_pay_items jsonb)
   WHERE q.tariff_version = (SELECT v.version FROM fee.tariff_versions v
                              WHERE v.agency_id = q.agency_id AND v.effective_from <= q.priced_at
                              ORDER BY v.effective_from DESC, v.version DESC LIMIT 1)
  RETURNING id`;

@Injectable()
export class QuotesRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Stores a quote given; false, storing nothing, when its tariff version is no longer in force at its moment.
   * Quotes given together are stored by one statement (see GroupCommit).
   */
  save(quote: QuoteRow): Promise<boolean> {
    return this.saves.submit(quote);
  }

  /** Stores quotes by one statement; returns the ids stored (those whose tariff version was still in force). */
  async insertMany(quotes: QuoteRow[]): Promise<Set<string>> {
    if (quotes.length === 0) return new Set();
    const rows = await queryPrepared(this.dataSource, { text: INSERT, values: [jsonbParam(quotes.map(toRow))] });
    return new Set(rows.map((row) => row.id as string));
  }

  private readonly saves = new GroupCommit<QuoteRow, boolean>(
    async (quotes) => {
      const stored = await this.insertMany(quotes);
      return quotes.map((quote) => stored.has(quote.id));
    },
    async (quote) => (await this.insertMany([quote])).has(quote.id),
    { maxBatch: 200, maxInFlight: 2 },
  );
}

/** The JSON object `INSERT` reads a quote from, by its column names. */
function toRow(quote: QuoteRow): Record<string, unknown> {
  return {
    id: quote.id,
    order_id: quote.orderId,
    agency_id: quote.agencyId,
    pickup_lng: quote.pickupLng,
    pickup_lat: quote.pickupLat,
    dropoff_lng: quote.dropoffLng,
    dropoff_lat: quote.dropoffLat,
    distance_meters: quote.distanceMeters,
    duration_seconds: quote.durationSeconds,
    provider: quote.provider,
    estimated: quote.estimated,
    detour_factor: quote.detourFactor,
    factor_source: quote.factorSource,
    cached: quote.cached,
    attempts: quote.attempts,
    tariff_version: quote.tariffVersion,
    priced_at: quote.pricedAt,
    distance_basis: quote.distanceBasis,
    total: quote.total,
    items: quote.items,
    rider_pay: quote.riderPay,
    rider_pay_items: quote.riderPayItems,
  };
}
