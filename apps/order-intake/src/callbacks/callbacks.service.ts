import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { validateContract } from '#contracts';
import { DomainError } from '#platform';
import { INTAKE_LOG, type IntakeLog } from '../intake.logger.js';
import { decodeBody } from '../orders/decode-body.js';
import { isUuid, RestaurantsService } from '../restaurants/restaurants.service.js';
import { CallbackDestinations } from './callback-destinations.js';
import { CallbackSender } from './callback-sender.service.js';
import { normalizeCallbackUrl } from './callback-url.js';
import { CallbacksRepository } from './callbacks.repository.js';
import { callbackView, type CallbackUrlView, type CallbackView } from './dto/callback.view.js';
import { ListCallbacksQuery } from './dto/list-callbacks.query.js';
import { SetCallbackUrlRequest } from './dto/set-callback-url.request.js';
import { statusChangedCallback, type StatusChange } from './status-callback.js';

const DEFAULT_LIST_LIMIT = 50;

/** A fresh `webhook-id` for a callback; it stays the same on every try, so the restaurant can dedupe. */
const newWebhookId = () => `msg_${randomUUID().replaceAll('-', '')}`;

/**
 * Restaurants' status callbacks: queued with each status change, in its transaction, and sent by the
 * CallbackSender; restaurants set where they go and see how they went.
 */
@Injectable()
export class CallbacksService {
  constructor(
    @Inject(INTAKE_LOG) private readonly log: IntakeLog,
    private readonly callbacks: CallbacksRepository,
    private readonly restaurants: RestaurantsService,
    private readonly sender: CallbackSender,
    private readonly destinations: CallbackDestinations,
  ) {}

  /**
   * Queues the callback for an order's status change inside the caller's transaction, after the change is
   * written (the callback carries the order's fee and rider as they now are). Nothing is queued when the
   * restaurant has no callback URL. Call `wake` once the transaction has committed.
   */
  async enqueue(manager: EntityManager, change: StatusChange): Promise<boolean> {
    const order = await this.callbacks.orderForCallback(manager, change.orderId);
    if (!order) return false;
    await this.callbacks.insert(manager, {
      id: randomUUID(),
      webhookId: newWebhookId(),
      restaurantId: order.restaurantId,
      payload: statusChangedCallback(order, change),
    });
    return true;
  }

  /** Sends what is due now rather than at the next poll. */
  wake(): void {
    this.sender.wake();
  }

  async url(authorization: string | undefined, restaurantId: string): Promise<CallbackUrlView> {
    const restaurant = await this.restaurants.authenticateAs(authorization, restaurantId);
    return { url: restaurant.callbackUrl };
  }

  /**
   * Sets where the restaurant's callbacks go, from a JSON body `{ url }`; pending callbacks go there too. The host
   * must be public (see destinationRefusal).
   */
  async setUrl(authorization: string | undefined, restaurantId: string, body: Buffer): Promise<CallbackUrlView> {
    const restaurant = await this.restaurants.authenticateAs(authorization, restaurantId);
    const decoded = decodeBody(SetCallbackUrlRequest, body);
    if (!decoded.ok) throw decoded.error;
    const url = normalizeCallbackUrl(decoded.value.url);
    const refusal = await this.destinations.refusal(url);
    if (refusal) throw DomainError.validation([{ field: 'url', value: decoded.value.url, reason: refusal }]);
    await this.callbacks.transaction((manager) => this.restaurants.setCallbackUrl(manager, restaurant.id, url));
    this.log.info({ restaurantId: restaurant.id }, 'callback URL set');
    this.wake();
    return { url };
  }

  /**
   * Stops callbacks: the URL is removed, and callbacks still pending become undeliverable (they can be retried
   * once a URL is set again). Status changes from now on queue nothing.
   */
  async removeUrl(authorization: string | undefined, restaurantId: string): Promise<CallbackUrlView & { pendingGivenUp: number }> {
    const restaurant = await this.restaurants.authenticateAs(authorization, restaurantId);
    const pendingGivenUp = await this.callbacks.transaction(async (manager) => {
      await this.restaurants.setCallbackUrl(manager, restaurant.id, null);
      return this.callbacks.giveUpPending(manager, restaurant.id, 'the callback URL was removed');
    });
    this.log.info({ restaurantId: restaurant.id, pendingGivenUp }, 'callback URL removed');
    return { url: null, pendingGivenUp };
  }

  /** The restaurant's callbacks, newest first. */
  async list(authorization: string | undefined, restaurantId: string, query: Record<string, unknown>): Promise<{ callbacks: CallbackView[] }> {
    const restaurant = await this.restaurants.authenticateAs(authorization, restaurantId);
    const validated = validateContract(ListCallbacksQuery, query);
    if (!validated.ok) throw DomainError.validation(validated.errors);
    const { state, orderId, limit } = validated.value;
    const records = await this.callbacks.list(restaurant.id, {
      state,
      orderId: orderId?.toLowerCase(),
      limit: limit === undefined ? DEFAULT_LIST_LIMIT : Number(limit),
    });
    return { callbacks: records.map(callbackView) };
  }

  /** Puts an undeliverable callback back in the queue, due now, for another full lifetime of retries. */
  async retry(authorization: string | undefined, restaurantId: string, callbackId: string): Promise<CallbackView> {
    const restaurant = await this.restaurants.authenticateAs(authorization, restaurantId);
    const notFound = new DomainError('NOT_FOUND', `no callback ${callbackId}`);
    if (!isUuid(callbackId)) throw notFound;
    const id = callbackId.toLowerCase();
    if (!restaurant.callbackUrl) {
      if (!(await this.callbacks.find(restaurant.id, id))) throw notFound;
      throw new DomainError('INVALID_TRANSITION', 'there is no callback URL to send it to: set one first (PUT /v1/restaurants/{restaurantId}/callback)', {
        callbackUrl: null,
      });
    }
    const requeued = await this.callbacks.requeue(restaurant.id, id);
    if (!requeued) {
      const existing = await this.callbacks.find(restaurant.id, id);
      if (!existing) throw notFound;
      throw new DomainError('INVALID_TRANSITION', `callback ${callbackId} is ${existing.state}; only an undeliverable callback can be retried`, {
        state: existing.state,
      });
    }
    this.log.info({ restaurantId: restaurant.id, callbackId: id, orderId: requeued.orderId }, 'undeliverable callback requeued');
    this.wake();
    return callbackView(requeued);
  }
}
