import { Logger } from '@nestjs/common';
import { WebSocketGateway, type OnGatewayConnection, type OnGatewayDisconnect, type OnGatewayInit } from '@nestjs/websockets';
import type { ClassConstructor } from 'class-transformer';
import type { Namespace, Socket } from 'socket.io';
import { validateContract, type Validated } from '#contracts';
import { DomainError } from '#platform';
import { DeliveriesService } from '../deliveries/deliveries.service.js';
import { DeliveryOperations } from '../deliveries/delivery-operations.service.js';
import { DeliveryFailureReport } from '../deliveries/dto/manual-dispatch.request.js';
import { riderDeliveryView, type RiderDeliveryView } from '../deliveries/delivery.views.js';
import { DispatchWakeup } from '../offers/dispatch-wakeup.js';
import { OffersService } from '../offers/offers.service.js';
import { DeliveryReport, OfferAnswer, readLocation } from './dto/rider-messages.js';
import { RiderChannel, riderRoom } from './rider-channel.js';
import { RiderPresenceStore, type RiderState } from './rider-presence.store.js';
import { RidersService, type RiderSession } from './riders.service.js';

/** Every client message is answered through its ack callback with one of these. */
export type Ack<T extends object = object> = ({ ok: true } & T) | { ok: false; code: string; message: string; details?: unknown };

/** A rider message's handler: the socket it came on and its body; every outcome, errors included, is its ack. */
type RiderMessageHandler = (socket: Socket, body: unknown) => Promise<Ack>;

/**
 * Rider protocol v1 (docs/rider-protocol.md). A thin edge: it authenticates the socket, keeps presence, checks
 * each message and hands it to one service call, and turns every outcome, errors included, into an ack.
 *
 * The messages are bound to each socket with one plain listener each (`MESSAGES`), not through Nest's
 * `@SubscribeMessage`: Nest would run its per-message pipeline (an rxjs chain, guards, pipes, interceptors,
 * filters) for every position of every rider, a few thousand times a second, and every handler here already
 * checks its own body and answers every outcome itself.
 */
@WebSocketGateway({
  namespace: '/riders',
  cors: { origin: true },
  // Riders connect over WebSocket only (docs/rider-protocol.md): no long-polling sessions or upgrades to keep per
  // connection, and no per-message or HTTP compression state for thousands of small messages.
  transports: ['websocket'],
  perMessageDeflate: false,
  httpCompression: false,
})
export class RidersGateway implements OnGatewayInit<Namespace>, OnGatewayConnection<Socket>, OnGatewayDisconnect<Socket> {
  private readonly logger = new Logger('riders');

  constructor(
    private readonly riders: RidersService,
    private readonly presence: RiderPresenceStore,
    private readonly channel: RiderChannel,
    private readonly offers: OffersService,
    private readonly deliveries: DeliveriesService,
    private readonly wakeup: DispatchWakeup,
    private readonly operations: DeliveryOperations,
  ) {}

  /** Every message a rider may send, and its handler. */
  private readonly messages: ReadonlyArray<[string, RiderMessageHandler]> = [
    ['location', (socket, body) => this.location(socket, body)],
    ['heartbeat', () => this.heartbeat()],
    ['break:start', (socket) => this.startBreak(socket)],
    ['break:end', (socket) => this.endBreak(socket)],
    ['offer:accept', (socket, body) => this.accept(socket, body)],
    ['offer:decline', (socket, body) => this.decline(socket, body)],
    ['delivery:pickedUp', (socket, body) => this.pickedUp(socket, body)],
    ['delivery:delivered', (socket, body) => this.delivered(socket, body)],
    ['delivery:failed', (socket, body) => this.failed(socket, body)],
  ];

  /**
   * One listener per message, shared by every socket (socket.io calls it with the socket as `this`): ten thousand
   * riders do not need ninety thousand closures.
   */
  private readonly listeners = this.messages.map(([event, handle]) => {
    const listener = function (this: Socket, ...args: unknown[]): void {
      // `emit(event, body, ack)`, or `emit(event, ack)` for a message without a body.
      const ack = typeof args[args.length - 1] === 'function' ? (args.pop() as (reply: Ack) => void) : undefined;
      void handle(this, args[0]).then((reply) => {
        if (ack && this.connected) ack(reply);
      });
    };
    return [event, listener] as const;
  });

  afterInit(namespace: Namespace): void {
    this.channel.attach(namespace);
    // Refused before the connection exists: the client sees `connect_error` with the message.
    namespace.use((socket, next) => {
      this.riders.authenticate(socket.handshake.auth?.token).then(
        (rider) => {
          if (!rider) return next(new Error('UNAUTHENTICATED'));
          socket.data.rider = rider;
          next();
        },
        (error: unknown) => {
          this.logger.error(`could not check a rider token: ${(error as Error)?.message ?? String(error)}`);
          next(new Error('UNAVAILABLE'));
        },
      );
    });
  }

  async handleConnection(socket: Socket): Promise<void> {
    const rider = session(socket);
    void socket.join(riderRoom(rider.id));
    // Any message at all is a sign of life; one from a silent rider brings it back to matching.
    socket.use((_packet, next) => {
      if (this.presence.seen(rider.id)) this.wakeup.wake();
      next();
    });
    for (const [event, listener] of this.listeners) socket.on(event, listener);
    // Available at once only with a recent position; otherwise its first `location` wakes the dispatcher.
    const available = this.presence.connected(rider, socket.id);
    this.logger.log(`rider ${rider.id} connected (socket ${socket.id})`);
    socket.emit('presence', { state: this.presence.state(rider.id) });
    // A reconnect loses nothing: the rider's jobs, and the offers still waiting for an answer, come again.
    try {
      socket.emit('jobs', { deliveries: await this.riders.jobsOf(rider.id) });
      for (const offer of await this.offers.liveOffersFor(rider.id)) socket.emit('offer', offer);
    } catch (error) {
      this.logger.error(`could not resend jobs and offers to rider ${rider.id}: ${(error as Error)?.message ?? String(error)}`);
    }
    if (available) this.wakeup.wake();
  }

  handleDisconnect(socket: Socket): void {
    const rider = socket.data.rider as RiderSession | undefined;
    if (!rider) return;
    const stillOnline = this.presence.disconnected(rider.id, socket.id);
    this.logger.log(`rider ${rider.id} disconnected (socket ${socket.id})${stillOnline ? '; still online on another socket' : ''}`);
  }

  location(socket: Socket, body: unknown): Promise<Ack> {
    return answer(async () => {
      const { lng, lat, at } = valid(readLocation(body));
      // A rider's first position makes it a candidate, so waiting deliveries may now be offered.
      if (this.presence.moved(session(socket).id, { lng, lat }, at === undefined ? undefined : new Date(at))) this.wakeup.wake();
      return {};
    }, this.logger);
  }

  /** Only says the rider is there: the sign of life itself is taken for every message, before its handler. */
  heartbeat(): Promise<Ack<{ serverTime: string }>> {
    return answer(async () => ({ serverTime: new Date(this.presence.now()).toISOString() }), this.logger);
  }

  startBreak(socket: Socket): Promise<Ack<{ state: RiderState }>> {
    return answer(async () => ({ state: this.riders.startBreak(session(socket).id) }), this.logger);
  }

  endBreak(socket: Socket): Promise<Ack<{ state: RiderState }>> {
    return answer(async () => {
      const { state, available } = this.riders.endBreak(session(socket).id);
      if (available) this.wakeup.wake();
      return { state };
    }, this.logger);
  }

  accept(socket: Socket, body: unknown): Promise<Ack<{ delivery: RiderDeliveryView }>> {
    return answer(async () => {
      const { offerId } = parse(OfferAnswer, body);
      return { delivery: riderDeliveryView(await this.offers.accept(session(socket).id, offerId)) };
    }, this.logger);
  }

  decline(socket: Socket, body: unknown): Promise<Ack> {
    return answer(async () => {
      const { offerId } = parse(OfferAnswer, body);
      await this.offers.decline(session(socket).id, offerId);
      return {};
    }, this.logger);
  }

  pickedUp(socket: Socket, body: unknown): Promise<Ack<{ delivery: RiderDeliveryView }>> {
    return answer(async () => {
      const { deliveryId } = parse(DeliveryReport, body);
      return { delivery: riderDeliveryView(await this.deliveries.pickUp(session(socket).id, deliveryId)) };
    }, this.logger);
  }

  delivered(socket: Socket, body: unknown): Promise<Ack<{ delivery: RiderDeliveryView }>> {
    return answer(async () => {
      const { deliveryId } = parse(DeliveryReport, body);
      return { delivery: riderDeliveryView(await this.deliveries.deliver(session(socket).id, deliveryId)) };
    }, this.logger);
  }

  /** The rider cannot finish the trip (the customer cannot be reached, an accident): it fails and frees the rider. */
  failed(socket: Socket, body: unknown): Promise<Ack<{ delivery: RiderDeliveryView }>> {
    return answer(async () => {
      const { deliveryId, reason } = parse(DeliveryFailureReport, body);
      return { delivery: riderDeliveryView(await this.operations.failByRider(session(socket).id, deliveryId, reason)) };
    }, this.logger);
  }
}

function session(socket: Socket): RiderSession {
  return socket.data.rider as RiderSession;
}

function parse<T extends object>(type: ClassConstructor<T>, body: unknown): T {
  return valid(validateContract(type, body));
}

function valid<T>(result: Validated<T>): T {
  if (!result.ok) throw DomainError.validation(result.errors);
  return result.value;
}

/** Runs a handler and always produces an ack: the global error filter cannot answer a socket's callback. */
async function answer<T extends object>(work: () => Promise<T>, logger: Logger): Promise<Ack<T>> {
  try {
    return { ok: true, ...(await work()) };
  } catch (error) {
    if (error instanceof DomainError) return { ok: false, ...error.toJSON() };
    logger.error(`rider message failed: ${(error as Error)?.stack ?? String(error)}`);
    return { ok: false, code: 'INTERNAL', message: 'internal error, try again' };
  }
}
