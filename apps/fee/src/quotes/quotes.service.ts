import { Inject, Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { FeeQuoteRequest, validateContract, type FeeQuote, type FeeQuoteResult, type LngLat } from '#contracts';
import { MAP_CHAIN, straightLineMeters, type MapChain, type RouteResult } from '#maps';
import { assertKeyOpens, bindLogContext, DomainError } from '#platform';
import { GeocodingService } from '../geocoding/geocoding.service.js';
import { noTariff, TariffsService, type TariffInForce } from '../tariffs/tariffs.service.js';
import { QuotesRepository, type QuoteRow } from './quotes.repository.js';

/** Door-to-door speed of a delivery motorbike in city traffic, for the duration of a straight-line trip. */
const STRAIGHT_LINE_SPEED_MPS = 20_000 / 3600;

/** Pricings of one quote whose tariff kept changing under it before it is given up (a change a second would not). */
const MAX_PRICINGS = 3;

/** Refusals that depend on the tariff version: confirmed against the database before they are given. */
const TARIFF_REFUSALS = new Set(['NO_TARIFF', 'OUTSIDE_SERVICE_AREA', 'BEYOND_MAX_DISTANCE']);

/** A quote ready to give, and its row to store first. */
interface Priced {
  quote: FeeQuote;
  row: QuoteRow;
}

export interface QuoteOptions {
  /** Asked with this agency's key: only its own trips are priced; any other is AGENCY_NOT_FOUND. */
  keyAgencyId?: string;
}

@Injectable()
export class QuotesService {
  private readonly logger = new Logger('quotes');

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
   * A quote is given only once stored under the version still in force; if the tariff changed meanwhile, it is
   * priced again by the new one.
   */
  async quote(request: FeeQuoteRequest, options: QuoteOptions = {}): Promise<FeeQuote> {
    bindLogContext({ orderId: request.orderId, deliveryId: request.deliveryId });
    if (options.keyAgencyId !== undefined) assertKeyOpens(options.keyAgencyId, request.agencyId);
    for (let pricing = 1; ; pricing++) {
      const priced = await this.price(request);
      if (await this.quotes.save(priced.row)) return logged(this.logger, priced.quote);
      this.tariffs.stale(request.agencyId);
      if (pricing === MAX_PRICINGS) throw kept(request.agencyId);
    }
  }

  /**
   * Prices up to FEE_QUOTE_BATCH_LIMIT trips at once, answering each in the order asked with its quote or its own
   * error (an invalid request, another agency's with a key, a refusal): one never fails the others. The quotes are
   * stored by one statement.
   */
  async quoteMany(requests: unknown[], options: QuoteOptions = {}): Promise<FeeQuoteResult[]> {
    const results: Array<FeeQuoteResult | undefined> = requests.map(() => undefined);
    const valid = requests.map((body, i) => {
      const checked = validateContract(FeeQuoteRequest, body);
      try {
        if (!checked.ok) throw DomainError.validation(checked.errors);
        if (options.keyAgencyId !== undefined) assertKeyOpens(options.keyAgencyId, checked.value.agencyId);
        return checked.value;
      } catch (error) {
        results[i] = this.failed(error);
        return undefined;
      }
    });
    let pending = requests.flatMap((_, i) => (valid[i] ? [i] : []));
    for (let pricing = 1; pending.length > 0; pricing++) {
      const priced = await Promise.all(pending.map((i) => this.price(valid[i]!).catch((error: unknown) => ((results[i] = this.failed(error)), undefined))));
      const stored = await this.quotes.insertMany(priced.flatMap((p) => (p ? [p.row] : [])));
      const again: number[] = [];
      pending.forEach((i, k) => {
        const p = priced[k];
        if (!p) return;
        if (stored.has(p.quote.quoteId)) results[i] = { quote: p.quote };
        else if (pricing === MAX_PRICINGS) results[i] = this.failed(kept(p.quote.agencyId));
        else again.push(i);
      });
      for (const agencyId of new Set(again.map((i) => valid[i]!.agencyId))) this.tariffs.stale(agencyId);
      pending = again;
    }
    return results as FeeQuoteResult[];
  }

  /** A batch item's error as the caller sees it; anything but a domain error is logged and not described. */
  private failed(error: unknown): FeeQuoteResult {
    if (error instanceof DomainError) return { error: error.toJSON() };
    this.logger.error(`a quote of a batch failed: ${error instanceof Error ? error.stack : String(error)}`);
    return { error: { code: 'INTERNAL', message: 'internal error' } };
  }

  /**
   * Prices the trip (see `quote`) without storing it. A refusal that depends on the tariff is first confirmed by
   * the database (the version remembered may have just been replaced); if it was not the version in force, the
   * trip is priced once more by the one that is.
   */
  private async price(request: FeeQuoteRequest): Promise<Priced> {
    const at = request.at ? new Date(request.at) : new Date();
    let tariff = await this.tariffs.inForce(request.agencyId, at).catch(orNoTariff);
    try {
      return await this.priceBy(tariff, request, at);
    } catch (error) {
      if (!(error instanceof DomainError && TARIFF_REFUSALS.has(error.code))) throw error;
      if (await this.tariffs.confirm(request.agencyId, at, tariff?.version)) throw error;
      tariff = await this.tariffs.inForce(request.agencyId, at).catch(orNoTariff);
      return this.priceBy(tariff, request, at);
    }
  }

  private async priceBy(tariff: TariffInForce | undefined, request: FeeQuoteRequest, at: Date): Promise<Priced> {
    if (!tariff) throw noTariff(request.agencyId, at);
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
    const row: QuoteRow = {
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
      tariffVersion: tariff.version,
      pricedAt: at,
      distanceBasis: basis,
      total: priced.total,
      items: priced.items,
      riderPay: priced.riderPay.total,
      riderPayItems: priced.riderPay.items,
    };
    return { quote, row };
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

/** NO_TARIFF as no tariff at all (so `price` can confirm it); anything else goes on. */
function orNoTariff(error: unknown): undefined {
  if (error instanceof DomainError && error.code === 'NO_TARIFF') return undefined;
  throw error;
}

/** The agency's tariff changed under each pricing of the quote: rare enough to ask the caller to try again. */
function kept(agencyId: string): DomainError {
  return new DomainError('UPSTREAM_UNAVAILABLE', `agency ${agencyId}'s tariff changed while the quote was priced, ${MAX_PRICINGS} times; ask again`);
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

/** A debug line per quote, in the caller's log context (its order and delivery). */
function logged(logger: { debug(message: string): void }, quote: FeeQuote): FeeQuote {
  logger.debug(`quote ${quote.quoteId}: ${quote.fee.total} KRW for ${quote.distanceMeters} m by ${quote.provider}${quote.estimated ? ' (estimated)' : ''}`);
  return quote;
}
