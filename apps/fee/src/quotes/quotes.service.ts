import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { FeeQuote, FeeQuoteRequest, LngLat } from '#contracts';
import { MAP_CHAIN, straightLineMeters, type MapChain, type RouteResult } from '#maps';
import { assertKeyOpens, DomainError } from '#platform';
import { GeocodingService } from '../geocoding/geocoding.service.js';
import { TariffsService } from '../tariffs/tariffs.service.js';
import { QuotesRepository } from './quotes.repository.js';

/** Door-to-door speed of a delivery motorbike in city traffic, for the duration of a straight-line trip. */
const STRAIGHT_LINE_SPEED_MPS = 20_000 / 3600;

@Injectable()
export class QuotesService {
  constructor(
    @Inject(MAP_CHAIN) private readonly maps: Pick<MapChain, 'route'>,
    private readonly quotes: QuotesRepository,
    private readonly tariffs: TariffsService,
    private readonly geocoding: GeocodingService,
  ) {}

  /**
   * Prices a trip by the agency's tariff in force at the requested moment (default now): places addresses,
   * checks the service area before spending a provider call, measures the distance on the tariff's basis (road
   * distance through Kakao, Naver, then the Turf estimate; or the straight line), and records the quote with the
   * version, the items, rider pay and the distance's whole provenance, so estimated fees can be reconciled later.
   * When no price is possible it says why: NO_TARIFF, NO_LOCATION, OUTSIDE_SERVICE_AREA, BEYOND_MAX_DISTANCE.
   * Asked with an agency's key (`keyAgencyId`), only that agency's trips are priced: any other is AGENCY_NOT_FOUND.
   */
  async quote(request: FeeQuoteRequest, options: { keyAgencyId?: string } = {}): Promise<FeeQuote> {
    if (options.keyAgencyId !== undefined) assertKeyOpens(options.keyAgencyId, request.agencyId);
    const at = request.at ? new Date(request.at) : new Date();
    const tariff = await this.tariffs.inForce(request.agencyId, at);
    const [pickup, dropoff] = await Promise.all([
      this.locate('pickup', request.pickup, request.pickupAddress),
      this.locate('dropoff', request.dropoff, request.dropoffAddress),
    ]);
    const area = tariff.compiled.checkServiceArea(pickup, dropoff);
    if (!area.ok) throw new DomainError(area.reason, area.message);

    const basis = tariff.tariff.distanceBasis;
    const route = basis === 'straight' ? straightLine(pickup, dropoff) : await this.maps.route(pickup, dropoff);
    const priced = tariff.compiled.price({ distanceMeters: route.distanceMeters, pickup, dropoff, at });
    if (!priced.ok) throw new DomainError(priced.reason, priced.message, { distanceMeters: route.distanceMeters, provider: route.provider, estimated: route.estimated });

    const quote: FeeQuote = {
      quoteId: randomUUID(),
      agencyId: request.agencyId,
      tariffVersion: tariff.version,
      pricedAt: at.toISOString(),
      distanceBasis: basis,
      distanceMeters: route.distanceMeters,
      durationSeconds: route.durationSeconds,
      provider: route.provider,
      estimated: route.estimated,
      ...(route.detourFactor === undefined ? {} : { detourFactor: route.detourFactor, factorSource: route.factorSource }),
      cached: route.cached,
      attempts: route.attempts,
      fee: { total: priced.total, currency: 'KRW', items: priced.items },
      riderPay: { total: priced.riderPay.total, currency: 'KRW', items: priced.riderPay.items },
    };
    await this.quotes.save({
      id: quote.quoteId,
      orderId: request.orderId ?? null,
      agencyId: request.agencyId,
      pickupLng: pickup.lng,
      pickupLat: pickup.lat,
      dropoffLng: dropoff.lng,
      dropoffLat: dropoff.lat,
      distanceMeters: route.distanceMeters,
      durationSeconds: route.durationSeconds,
      provider: route.provider,
      estimated: route.estimated,
      detourFactor: route.detourFactor === undefined ? null : String(route.detourFactor),
      factorSource: route.factorSource ?? null,
      cached: route.cached,
      attempts: route.attempts,
      tariff: `version ${tariff.version}`,
      tariffVersion: tariff.version,
      pricedAt: at,
      distanceBasis: basis,
      total: priced.total,
      items: priced.items,
      riderPay: priced.riderPay.total,
      riderPayItems: priced.riderPay.items,
    });
    return quote;
  }

  /** A point given, or the address's point; an address nothing can place is NO_LOCATION, saying what was tried. */
  private async locate(field: 'pickup' | 'dropoff', point: LngLat | undefined, address: string | undefined): Promise<LngLat> {
    if (point) return { lng: point.lng, lat: point.lat };
    try {
      const { lng, lat } = await this.geocoding.geocode({ address: address as string });
      return { lng, lat };
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      const why = error.code === 'ADDRESS_NOT_FOUND' ? 'no map provider knows the address' : 'no map provider could place the address now and it was never placed before';
      throw new DomainError('NO_LOCATION', `the ${field} has no location: ${why}`, { field: `${field}Address`, value: address, ...(error.details as object) });
    }
  }
}

/** The agency prices by the straight line: no provider is asked, and the distance is exact, not an estimate. */
function straightLine(from: LngLat, to: LngLat): RouteResult {
  const distanceMeters = Math.round(straightLineMeters(from, to));
  return {
    distanceMeters,
    durationSeconds: Math.round(distanceMeters / STRAIGHT_LINE_SPEED_MPS),
    provider: 'straight-line',
    estimated: false,
    cached: false,
    attempts: [],
  };
}
