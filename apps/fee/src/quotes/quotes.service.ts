import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { FeeQuote, FeeQuoteRequest } from '#contracts';
import { MAP_CHAIN, type MapChain } from '#maps';
import { DEFAULT_TARIFF, priceByDistance } from './default-tariff.js';
import { QuotesRepository } from './quotes.repository.js';

@Injectable()
export class QuotesService {
  constructor(
    @Inject(MAP_CHAIN) private readonly maps: Pick<MapChain, 'route'>,
    private readonly quotes: QuotesRepository,
  ) {}

  /**
   * Routes the trip through the map chain (Kakao, Naver, then the Turf estimate), prices it, and records the
   * quote with the whole provenance of its distance, so estimated fees can be found and reconciled later.
   */
  async quote(request: FeeQuoteRequest): Promise<FeeQuote> {
    const route = await this.maps.route(request.pickup, request.dropoff);
    const fee = priceByDistance(route.distanceMeters);
    const quote: FeeQuote = {
      quoteId: randomUUID(),
      distanceMeters: route.distanceMeters,
      durationSeconds: route.durationSeconds,
      provider: route.provider,
      estimated: route.estimated,
      ...(route.detourFactor === undefined ? {} : { detourFactor: route.detourFactor, factorSource: route.factorSource }),
      cached: route.cached,
      attempts: route.attempts,
      fee: { total: fee.total, currency: 'KRW', items: fee.items },
    };
    await this.quotes.save({
      id: quote.quoteId,
      orderId: request.orderId ?? null,
      agencyId: request.agencyId ?? null,
      pickupLng: request.pickup.lng,
      pickupLat: request.pickup.lat,
      dropoffLng: request.dropoff.lng,
      dropoffLat: request.dropoff.lat,
      distanceMeters: route.distanceMeters,
      durationSeconds: route.durationSeconds,
      provider: route.provider,
      estimated: route.estimated,
      detourFactor: route.detourFactor === undefined ? null : String(route.detourFactor),
      factorSource: route.factorSource ?? null,
      cached: route.cached,
      attempts: route.attempts,
      tariff: DEFAULT_TARIFF.name,
      total: fee.total,
      items: fee.items,
    });
    return quote;
  }
}
