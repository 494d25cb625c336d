import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { FeeQuote, FeeQuoteRequest } from '#contracts';
import type { RoutingProvider } from '#maps';
import { DEFAULT_TARIFF, priceByDistance } from './default-tariff.js';
import { QuotesRepository } from './quotes.repository.js';

export const ROUTING = Symbol('ROUTING');

@Injectable()
export class QuotesService {
  constructor(
    @Inject(ROUTING) private readonly routing: RoutingProvider,
    private readonly quotes: QuotesRepository,
  ) {}

  /** Routes the trip, prices it, and records the quote with the provenance of its distance. */
  async quote(request: FeeQuoteRequest): Promise<FeeQuote> {
    const route = await this.routing.route(request.pickup, request.dropoff);
    const fee = priceByDistance(route.distanceMeters);
    const quote: FeeQuote = {
      quoteId: randomUUID(),
      distanceMeters: route.distanceMeters,
      durationSeconds: route.durationSeconds,
      provider: route.provider,
      estimated: route.estimated,
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
      tariff: DEFAULT_TARIFF.name,
      total: fee.total,
      items: fee.items,
    });
    return quote;
  }
}
