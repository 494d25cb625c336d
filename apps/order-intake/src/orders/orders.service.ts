import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { APP_CONFIG, type AppConfig } from '#config';
import { PATTERNS } from '#contracts';
import { isUniqueViolation } from '#database';
import { EventOutbox } from '#messaging';
import { bindLogContext, DomainError, maskPhone } from '#platform';
import { INTAKE_LOG, type IntakeLog } from '../intake.logger.js';
import { Locator } from '../locating/locator.service.js';
import { IntakeMetrics } from '../metrics/intake-metrics.js';
import type { RestaurantEntity } from '../restaurants/restaurant.entity.js';
import { isUuid, RestaurantsService } from '../restaurants/restaurants.service.js';
import { SignedWebhooks, type SignedRequest, type StoredAnswer } from '../webhooks/signed-webhooks.js';
import { contentHash } from './canonical-json.js';
import { decodeBody } from './decode-body.js';
import { CreateOrderRequest, validateOrderRequest } from './dto/create-order.request.js';
import type { OrderAccepted, OrderView } from './dto/order.view.js';
import { orderCreatedPayload } from './order-created.js';
import type { OrderEnteredBy } from './order.entity.js';
import { orderTimes } from './order-timing.js';
import { statusRank } from './order-status.js';
import { OrdersRepository } from './orders.repository.js';

/** Who put an order in: its restaurant, or its agency's operator (by id once operators have accounts). */
export interface OrderOrigin {
  enteredBy: OrderEnteredBy;
  operatorId: string | null;
}

const FROM_RESTAURANT: OrderOrigin = { enteredBy: 'restaurant', operatorId: null };

@Injectable()
export class OrdersService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(INTAKE_LOG) private readonly log: IntakeLog,
    private readonly restaurants: RestaurantsService,
    private readonly webhooks: SignedWebhooks,
    private readonly orders: OrdersRepository,
    private readonly outbox: EventOutbox,
    private readonly locator: Locator,
    private readonly metrics: IntakeMetrics,
  ) {}

  /**
   * Handles a restaurant's signed order webhook. Its webhook-id is the idempotency key: a redelivery gets the
   * first answer and creates nothing. The checks run in the documented order; to save a round trip, whether
   * the id was seen before is learnt from the receipt's key when storing, and looked up only for a body that
   * will not be stored.
   */
  async receive(restaurantId: string, request: SignedRequest): Promise<StoredAnswer> {
    try {
      return await this.answer(restaurantId, request);
    } catch (error) {
      this.metrics.orderRefused(error instanceof DomainError ? error.code : 'INTERNAL');
      throw error;
    }
  }

  private async answer(restaurantId: string, signed: SignedRequest): Promise<StoredAnswer> {
    const { restaurant, webhookId } = await this.webhooks.verify(restaurantId, signed);
    const receivedAt = new Date();
    const decoded = decodeBody(CreateOrderRequest, signed.body, (plain) => validateOrderRequest(plain, receivedAt));
    if (!decoded.ok) {
      const first = await this.webhooks.firstAnswer(restaurant.id, webhookId);
      if (first) return this.replay(restaurant, webhookId, first);
      throw decoded.error;
    }

    return this.acceptOnce(restaurant, webhookId, decoded.value, receivedAt, FROM_RESTAURANT);
  }

  /**
   * Accepts a valid order for `restaurant` once per `receiptKey` (a webhook-id, or an operator's idempotency key):
   * a repeat of the key gets the first answer, a new key with an externalOrderId seen before is a duplicate or a
   * conflict. Webhook orders and orders entered by hand both come through here, so both are one order and one
   * `order.created` however often they are sent.
   */
  async acceptOnce(restaurant: RestaurantEntity, receiptKey: string, request: CreateOrderRequest, receivedAt: Date, origin: OrderOrigin): Promise<StoredAnswer> {
    const requestHash = contentHash(request);
    try {
      return await this.accept(restaurant, receiptKey, request, requestHash, receivedAt, origin);
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      // A concurrent or earlier delivery won; answer as its redelivery or duplicate.
      return this.answerRepeat(restaurant, receiptKey, request, requestHash, error);
    }
  }

  /** An order as its restaurant sees it; another restaurant's order, or a bad id, is simply not found. */
  async find(authorization: string | undefined, restaurantId: string, orderId: string): Promise<OrderView> {
    const restaurant = await this.restaurants.authenticate(authorization);
    const notFound = new DomainError('ORDER_NOT_FOUND', `no order ${orderId}`);
    if (restaurantId.toLowerCase() !== restaurant.id || !isUuid(orderId)) throw notFound;
    const found = await this.orders.findWithHistory(restaurant.id, orderId.toLowerCase());
    if (!found) throw notFound;
    const { order, history, timing } = found;
    return {
      orderId: order.id,
      externalOrderId: order.externalOrderId,
      status: order.status,
      orderAmount: order.orderAmount,
      dropoff: {
        address: order.dropoffAddress,
        lng: order.dropoffLng,
        lat: order.dropoffLat,
        detail: order.dropoffDetail,
        ...(order.dropoffGeocodedBy ? { geocodedBy: order.dropoffGeocodedBy } : {}),
      },
      ...(order.status === 'locating'
        ? {
            locating: {
              attempts: order.locateAttempts,
              lastError: order.lastLocateError,
              nextAttemptAt: order.nextLocateAt?.toISOString() ?? null,
            },
          }
        : {}),
      fee: order.fee,
      enteredBy: order.enteredBy,
      payment: order.paymentMethod ? { method: order.paymentMethod, collectAmount: order.paymentCollectAmount ?? 0 } : null,
      rider: order.riderId ? { id: order.riderId, name: order.riderName ?? '' } : null,
      // Statuses only move forward, so their rank is the order they were reached in, whatever the senders' clocks.
      statusHistory: history
        .sort((a, b) => statusRank(a.status) - statusRank(b.status))
        .map((h) => ({ status: h.status, at: h.at.toISOString() })),
      readyAt: order.readyAt?.toISOString() ?? null,
      promisedAt: order.promisedAt?.toISOString() ?? null,
      timingHistory: timing.map((t) => ({
        change: t.change,
        ...(t.delayMinutes === null ? {} : { delayMinutes: t.delayMinutes }),
        readyAt: t.readyAt.toISOString(),
        at: t.at.toISOString(),
      })),
      createdAt: order.createdAt.toISOString(),
      updatedAt: order.updatedAt.toISOString(),
    };
  }

  /**
   * Stores the order, its first status, the webhook's answer and the `order.created` event atomically. An order
   * with an address and no coordinates is stored `locating`, without the event: the locator writes that once
   * the map chain has placed the address.
   */
  private async accept(
    restaurant: RestaurantEntity,
    webhookId: string,
    request: CreateOrderRequest,
    requestHash: string,
    receivedAt: Date,
    origin: OrderOrigin,
  ): Promise<StoredAnswer> {
    const orderId = randomUUID();
    const times = orderTimes(request, receivedAt, restaurant.defaultCookingMinutes ?? this.config.intake.defaultCookingMinutes);
    const { dropoff } = request;
    const point = dropoff.lng != null && dropoff.lat != null ? { lng: dropoff.lng, lat: dropoff.lat } : null;
    const status = point ? ('received' as const) : ('locating' as const);
    const accepted: OrderAccepted = { orderId, status };
    const message = point
      ? this.outbox.prepare(
          PATTERNS.ORDER_CREATED,
          orderCreatedPayload(restaurant, {
            id: orderId,
            externalOrderId: request.externalOrderId,
            dropoff: { ...point, address: dropoff.address, detail: dropoff.detail },
            orderAmount: request.orderAmount,
            note: request.note,
            ...times,
            customerPhone: request.customer?.phone ?? null,
            payment: request.payment ? { method: request.payment.method, collectAmount: request.payment.collectAmount ?? 0 } : null,
            enteredBy: origin.enteredBy,
          }),
        )
      : null;
    const answer = await this.orders.insertAccepted(
      {
        id: orderId,
        status,
        restaurantId: restaurant.id,
        externalOrderId: request.externalOrderId,
        requestHash,
        dropoffAddress: dropoff.address,
        dropoffLng: dropoff.lng ?? null,
        dropoffLat: dropoff.lat ?? null,
        dropoffDetail: dropoff.detail ?? null,
        customerPhone: request.customer?.phone ?? null,
        items: request.items.map(({ name, quantity, unitPrice }) => ({ name, quantity, unitPrice })),
        orderAmount: request.orderAmount,
        note: request.note ?? null,
        ...times,
        enteredBy: origin.enteredBy,
        enteredByOperatorId: origin.operatorId,
        paymentMethod: request.payment?.method ?? null,
        paymentCollectAmount: request.payment ? (request.payment.collectAmount ?? 0) : null,
      },
      webhookId,
      { status: 202, body: accepted },
      message,
    );
    if (message) this.outbox.poke();
    else this.locator.wake();
    this.metrics.orderAccepted();
    // The rest of this request's lines are about this order.
    bindLogContext({ orderId });
    this.log.info(
      {
        orderId,
        restaurantId: restaurant.id,
        externalOrderId: request.externalOrderId,
        webhookId,
        customerPhone: maskPhone(request.customer?.phone),
        orderAmount: request.orderAmount,
        status,
        enteredBy: origin.enteredBy,
      },
      point ? 'order received' : 'order received without coordinates; locating its dropoff',
    );
    return answer;
  }

  private async answerRepeat(
    restaurant: RestaurantEntity,
    webhookId: string,
    request: CreateOrderRequest,
    requestHash: string,
    violation: unknown,
  ): Promise<StoredAnswer> {
    const first = await this.webhooks.firstAnswer(restaurant.id, webhookId);
    if (first) return this.replay(restaurant, webhookId, first);
    const existing = await this.orders.findByExternalId(restaurant.id, request.externalOrderId);
    if (!existing) throw violation;
    if (existing.requestHash !== requestHash) {
      throw new DomainError(
        'ORDER_CONFLICT',
        `externalOrderId ${request.externalOrderId} was already used for order ${existing.id} with different content`,
        { orderId: existing.id, externalOrderId: request.externalOrderId },
      );
    }
    this.metrics.orderDuplicate();
    this.log.info({ orderId: existing.id, restaurantId: restaurant.id, webhookId }, 'order sent again under a new webhook-id');
    const accepted: OrderAccepted = { orderId: existing.id, status: existing.status };
    return { status: 202, body: accepted };
  }

  private replay(restaurant: RestaurantEntity, webhookId: string, first: StoredAnswer): StoredAnswer {
    const orderId = (first.body as Partial<OrderAccepted>)?.orderId;
    this.metrics.orderDuplicate();
    this.log.info({ orderId, restaurantId: restaurant.id, webhookId }, 'webhook redelivered; first answer given again');
    return first;
  }
}
