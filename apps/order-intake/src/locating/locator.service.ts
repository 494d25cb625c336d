import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { types } from 'node:util';
import { APP_CONFIG, type AppConfig } from '#config';
import { FeeGeocode, GeoPoint, PATTERNS, validateContract, type FeeGeocodeRequest } from '#contracts';
import { EventOutbox, Messaging } from '#messaging';
import { Rounds } from '#platform';
import { INTAKE_LOG, type IntakeLog } from '../intake.logger.js';
import type { LocateError } from '../orders/order.entity.js';
import { orderCreatedPayload } from '../orders/order-created.js';
import { LocatingRepository, type DueOrder } from './locating.repository.js';
import { CallbacksService } from '../callbacks/callbacks.service.js';

/** Orders taken per round; small, so one slow answer holds back few others. */
export const LOCATE_BATCH = 10;
/** How long fee may take to answer one `fee.geocode` (its own chain deadline is shorter). */
export const GEOCODE_TIMEOUT_MS = 5_000;
/** How long a taken order is left to this locator before another may take it again. */
export const LOCATE_LEASE_MS = 30_000;
/** The longest wait between two tries at one order. */
export const LOCATE_BACKOFF_CAP_MS = 5 * 60_000;

/** Why a `fee.geocode` request failed, as the restaurant will see it. */
export function locateError(error: unknown): LocateError {
  if ((error as Error | null)?.name === 'TimeoutError') return { code: 'GEOCODE_TIMEOUT', message: `fee did not answer within ${GEOCODE_TIMEOUT_MS} ms` };
  // A socket error (ECONNREFUSED and the like) is a real Error; fee's own answers are plain objects.
  if (error instanceof Error || types.isNativeError(error)) return { code: 'FEE_UNREACHABLE', message: error.message };
  // A domain error fee answered: `{ code, message, details }`.
  const remote = error as { code?: unknown; message?: unknown } | null;
  if (typeof remote?.code === 'string') return { code: remote.code, message: typeof remote.message === 'string' ? remote.message : remote.code };
  return { code: 'FEE_UNREACHABLE', message: String(error) };
}

/**
 * Places the dropoff of orders that arrived with an address and no coordinates. Every `LOCATE_INTERVAL_MS`, and
 * when woken by a new such order, it takes the due ones, asks fee (`fee.geocode`: Kakao Local, Naver, then fee's
 * geocode cache) and, in one transaction, sets the point, moves the order to `received` and writes its
 * `order.created`. A failure is recorded on the order and retried with exponential backoff: never dropped.
 */
@Injectable()
export class Locator implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly rounds: Rounds;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(INTAKE_LOG) private readonly log: IntakeLog,
    private readonly orders: LocatingRepository,
    private readonly messaging: Messaging,
    private readonly outbox: EventOutbox,
    private readonly callbacks: CallbacksService,
  ) {
    this.rounds = new Rounds(() => this.drain(), config.intake.locateIntervalMs, (error) =>
      this.log.warn({ err: error }, 'locating round failed; will try again'),
    );
  }

  onApplicationBootstrap(): void {
    this.rounds.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.rounds.stop();
  }

  /** Looks for due orders now; a call while a round runs makes another round follow it. */
  wake(): void {
    this.rounds.wake();
  }

  /** Locates every due order, a batch at a time. */
  private async drain(): Promise<void> {
    while (!this.rounds.stopped) {
      const due = await this.orders.claimDue(LOCATE_BATCH, LOCATE_LEASE_MS);
      await Promise.all(due.map((order) => this.locate(order)));
      if (due.length < LOCATE_BATCH) return;
    }
  }

  private async locate(order: DueOrder): Promise<void> {
    let point: FeeGeocode;
    try {
      const request: FeeGeocodeRequest = { address: order.address, orderId: order.id };
      const reply = await this.messaging.request<FeeGeocode>(PATTERNS.FEE_GEOCODE, request, GEOCODE_TIMEOUT_MS);
      point = this.checked(reply);
    } catch (error) {
      await this.recordFailure(order, locateError(error));
      return;
    }
    const located = await this.orders.transaction(async (manager) => {
      const found = await this.orders.lockLocating(manager, order.id);
      // Another try placed it first (its lease had run out): its event is written, this one must not be.
      if (!found) return null;
      await this.orders.markLocated(manager, order.id, point, point.provider);
      const queued = await this.callbacks.enqueue(manager, { orderId: order.id, status: 'received', previousStatus: 'locating', at: new Date() });
      await this.outbox.add(
        manager,
        PATTERNS.ORDER_CREATED,
        orderCreatedPayload(found.restaurant, { ...found.order, dropoff: { ...found.order.dropoff, lng: point.lng, lat: point.lat } }),
      );
      return { queued };
    });
    if (!located) return;
    this.outbox.poke();
    if (located.queued) this.callbacks.wake();
    this.log.info(
      { orderId: order.id, provider: point.provider, cached: point.cached, failedTries: order.attempts },
      'order located; received',
    );
  }

  /** The reply as a point dispatch will accept, or an error recorded like any failed try. */
  private checked(reply: FeeGeocode): FeeGeocode {
    const shape = validateContract(FeeGeocode, reply);
    const inKorea = validateContract(GeoPoint, { lng: reply?.lng, lat: reply?.lat });
    if (!shape.ok || !inKorea.ok) {
      const fields = [...(shape.ok ? [] : shape.errors), ...(inKorea.ok ? [] : inKorea.errors)].map((e) => `${e.field} ${e.reason}`);
      throw { code: 'INVALID_GEOCODE', message: `fee.geocode answered an unusable point: ${fields.join('; ')}` };
    }
    return reply;
  }

  private async recordFailure(order: DueOrder, error: LocateError): Promise<void> {
    const next = await this.orders.recordFailure(order.id, error, this.config.intake.locateIntervalMs, LOCATE_BACKOFF_CAP_MS);
    if (!next) return;
    this.log.warn(
      { orderId: order.id, attempts: next.attempts, nextAttemptAt: next.nextAt.toISOString(), code: error.code, reason: error.message },
      'order not located yet; will try again',
    );
  }
}
