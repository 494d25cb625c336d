import { Inject, Injectable } from '@nestjs/common';
import { PATTERNS, type OrderTimingChangedEvent, type TimingChange } from '#contracts';
import { isUniqueViolation } from '#database';
import { EventOutbox } from '#messaging';
import { bindLogContext, DomainError } from '#platform';
import { INTAKE_LOG, type IntakeLog } from '../intake.logger.js';
import { decodeBody } from '../orders/decode-body.js';
import type { OrderStatus } from '../orders/order-status.js';
import { isUuid } from '../restaurants/restaurants.service.js';
import { SignedWebhooks, type SignedRequest, type StoredAnswer } from '../webhooks/signed-webhooks.js';
import { DelayOrderRequest } from './dto/delay-order.request.js';
import type { TimingChanged } from './dto/timing.view.js';
import { TimingRepository, type TimedOrder } from './timing.repository.js';

/** Once the rider has the food (or the order is over), when it is ready no longer matters. */
const TIMING_CLOSED: readonly OrderStatus[] = ['picked_up', 'delivered', 'cancelled', 'failed'];

const MINUTE_MS = 60_000;

type Said = { change: 'ready' } | { change: 'delayed'; minutes: number };

/**
 * A restaurant says an order's food is ready now, or will be later than it said. Both are signed webhooks like
 * orders, with the same checks and the same idempotency by webhook-id. The order's ready time moves, the change
 * is kept in its history and `order.timing-changed` is written to the outbox, in one transaction.
 */
@Injectable()
export class TimingService {
  constructor(
    @Inject(INTAKE_LOG) private readonly log: IntakeLog,
    private readonly webhooks: SignedWebhooks,
    private readonly timing: TimingRepository,
    private readonly outbox: EventOutbox,
  ) {}

  /** "Ready now": the body is empty or a JSON object (its fields are ignored). */
  ready(restaurantId: string, orderId: string, signed: SignedRequest): Promise<StoredAnswer> {
    return this.receive(restaurantId, orderId, signed, (body) => {
      if (body.length === 0) return { ok: true, value: { change: 'ready' } };
      const decoded = decodeBody(Object, body, (plain) =>
        plain !== null && typeof plain === 'object' && !Array.isArray(plain)
          ? { ok: true, value: {} }
          : { ok: false, errors: [{ field: '(body)', value: plain, reason: 'must be a JSON object, or empty' }] },
      );
      return decoded.ok ? { ok: true, value: { change: 'ready' } } : decoded;
    });
  }

  /** "Delayed by N minutes": `{ "minutes": N }`. */
  delay(restaurantId: string, orderId: string, signed: SignedRequest): Promise<StoredAnswer> {
    return this.receive(restaurantId, orderId, signed, (body) => {
      const decoded = decodeBody(DelayOrderRequest, body);
      return decoded.ok ? { ok: true, value: { change: 'delayed', minutes: decoded.value.minutes } } : decoded;
    });
  }

  private async receive(
    restaurantId: string,
    orderId: string,
    signed: SignedRequest,
    read: (body: Buffer) => { ok: true; value: Said } | { ok: false; error: DomainError },
  ): Promise<StoredAnswer> {
    const { restaurant, webhookId } = await this.webhooks.verify(restaurantId, signed);
    // A redelivery gets the first answer, whatever its order has done since.
    const first = await this.webhooks.firstAnswer(restaurant.id, webhookId);
    if (first) return first;
    const decoded = read(signed.body);
    if (!decoded.ok) throw decoded.error;
    const said = decoded.value;
    if (!isUuid(orderId)) throw new DomainError('ORDER_NOT_FOUND', `no order ${orderId}`);
    const id = orderId.toLowerCase();
    try {
      const { answer, event } = await this.timing.transaction(async (manager) => {
        const order = await this.timing.lockOrder(manager, restaurant.id, id);
        if (!order) throw new DomainError('ORDER_NOT_FOUND', `no order ${orderId}`);
        if (TIMING_CLOSED.includes(order.status)) {
          throw new DomainError('ORDER_TIMING_CLOSED', `order ${order.id} is ${order.status}: when its food is ready can no longer change`, {
            orderId: order.id,
            status: order.status,
          });
        }
        const readyAt = newReadyTime(order, said, new Date());
        const delayMinutes = said.change === 'delayed' ? said.minutes : null;
        await this.timing.change(manager, { orderId: order.id, change: said.change, delayMinutes, readyAt, webhookId });
        // A `locating` order is not in dispatch yet: its order.created, written once placed, carries the new time.
        const event =
          order.status === 'locating'
            ? null
            : await this.outbox.add(manager, PATTERNS.ORDER_TIMING_CHANGED, timingEvent(order.id, restaurant.agencyId, said.change, readyAt, delayMinutes));
        const body: TimingChanged = {
          orderId: order.id,
          change: said.change,
          ...(delayMinutes === null ? {} : { delayMinutes }),
          readyAt: readyAt.toISOString(),
          promisedAt: order.promisedAt?.toISOString() ?? null,
        };
        const answer = await this.webhooks.keepAnswer(manager, { restaurantId: restaurant.id, webhookId, orderId: order.id, answer: { status: 200, body } });
        return { answer, event };
      });
      if (event) this.outbox.poke();
      bindLogContext({ orderId: id });
      this.log.info({ orderId: id, restaurantId: restaurant.id, webhookId, change: said.change, readyAt: (answer.body as TimingChanged).readyAt }, `order ${said.change === 'ready' ? 'ready now' : 'delayed'}`);
      return answer;
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      // The same webhook-id delivered twice at once: the first committed; answer as its redelivery.
      const again = await this.webhooks.firstAnswer(restaurant.id, webhookId);
      if (!again) throw error;
      return again;
    }
  }
}

/**
 * "Ready" is now; "delayed" counts from the time that was said, or from now when that has passed already (food
 * said to be ready ten minutes ago, delayed five more, is ready five minutes from now).
 */
export function newReadyTime(order: Pick<TimedOrder, 'readyAt' | 'createdAt'>, said: Said, now: Date): Date {
  if (said.change === 'ready') return now;
  const from = Math.max((order.readyAt ?? order.createdAt).getTime(), now.getTime());
  return new Date(from + said.minutes * MINUTE_MS);
}

function timingEvent(orderId: string, agencyId: string, change: TimingChange, readyAt: Date, delayMinutes: number | null): Omit<OrderTimingChangedEvent, 'eventId' | 'occurredAt'> {
  return { orderId, agencyId, change, readyAt: readyAt.toISOString(), ...(delayMinutes === null ? {} : { delayMinutes }) };
}
