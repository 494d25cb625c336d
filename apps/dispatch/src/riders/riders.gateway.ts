import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { Server } from 'node:http';
import type { ClassConstructor } from 'class-transformer';
import { APP_CONFIG, type AppConfig } from '#config';
import { jsonInputProblem, validateContract, type Validated } from '#contracts';
import { clientAddress, DomainError, FailureLimiter, limiterKey, replacedCredentialMessage, trustProxy } from '#platform';
import { DeliveriesService } from '../deliveries/deliveries.service.js';
import { DeliveryOperations } from '../deliveries/delivery-operations.service.js';
import { DeliveryFailureReport } from '../deliveries/dto/manual-dispatch.request.js';
import { riderDeliveryView, type RiderDeliveryView } from '../deliveries/delivery.views.js';
import { DispatchMetrics } from '../metrics/dispatch-metrics.js';
import { DispatchWakeup } from '../offers/dispatch-wakeup.js';
import { OfferReceipts } from '../offers/offer-receipts.service.js';
import { OffersService } from '../offers/offers.service.js';
import { DeliveryReport, OfferAnswer, readLocation } from './dto/rider-messages.js';
import { readClientOptions, type ClientOptions } from './dto/rider-handshake.js';
import { RiderChannel } from './rider-channel.js';
import { RiderPresenceStore, type RiderState } from './rider-presence.store.js';
import { RiderSocket, RiderSocketServer, type Refusal } from './rider-socket.server.js';
import { RidersService, sessionKey, type RiderSession } from './riders.service.js';

/** Every client message is answered through its ack callback with one of these. */
export type Ack<T extends object = object> = ({ ok: true } & T) | { ok: false; code: string; message: string; details?: unknown };

/** A signed-in socket: its rider, and what its app said of itself in the handshake. */
type Connected = RiderSession & { client: ClientOptions };
type Socket = RiderSocket<Connected>;

/** A rider message's handler: the socket it came on and its body; every outcome, errors included, is its ack. */
type RiderMessageHandler = (socket: Socket, body: unknown) => Promise<Ack>;

/**
 * Rider protocol v1 (docs/rider-protocol.md): socket.io's protocol at `/socket.io/`, namespace `/riders`, served
 * by RiderSocketServer on dispatch's HTTP server. A thin edge: it authenticates the socket, keeps presence,
 * checks each message and hands it to one service call, and turns every outcome, errors included, into an ack.
 */
@Injectable()
export class RidersGateway implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('riders');
  private readonly server: RiderSocketServer<Connected>;
  private readonly recheckMs: number;
  private recheckTimer?: NodeJS.Timeout;
  private rechecking = false;

  constructor(
    private readonly riders: RidersService,
    private readonly presence: RiderPresenceStore,
    private readonly channel: RiderChannel,
    private readonly offers: OffersService,
    private readonly receipts: OfferReceipts,
    private readonly deliveries: DeliveriesService,
    private readonly wakeup: DispatchWakeup,
    private readonly operations: DeliveryOperations,
    private readonly http: HttpAdapterHost,
    private readonly metrics: DispatchMetrics,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    const { failuresPerAddress, failureWindowMs, failuresPerConnection } = config.auth;
    this.recheckMs = config.dispatch.riderRecheckMs;
    const trust = trustProxy(config.auth.trustProxy);
    this.server = new RiderSocketServer<Connected>({
      path: '/socket.io/',
      namespace: '/riders',
      pingIntervalMs: config.dispatch.riderPingIntervalMs,
      pingTimeoutMs: config.dispatch.riderPingTimeoutMs,
      keepaliveIntervalMs: config.dispatch.riderKeepaliveIntervalMs,
      authenticate: (auth) => this.authenticate(auth),
      connected: (socket) => void this.connected(socket),
      disconnected: (socket) => this.disconnected(socket),
      message: (socket, event, body, ack) => this.message(socket, event, body, ack),
      throttle: {
        failuresPerConnection,
        perAddress: new FailureLimiter({ limit: failuresPerAddress, keep: 2 * failuresPerAddress, windowMs: failureWindowMs }),
        upgradesRefusedAfter: 2 * failuresPerAddress,
        clientKey: (request) => limiterKey(clientAddress(request, trust)),
      },
      maxConnections: config.http.maxRiderConnections,
    });
  }

  /** Every message a rider may send, and its handler. */
  private readonly messages = new Map<string, RiderMessageHandler>([
    ['location', (socket, body) => this.location(socket, body)],
    ['heartbeat', () => this.heartbeat()],
    ['break:start', (socket) => this.startBreak(socket)],
    ['break:end', (socket) => this.endBreak(socket)],
    ['offer:accept', (socket, body) => this.accept(socket, body)],
    ['offer:decline', (socket, body) => this.decline(socket, body)],
    ['offer:seen', (socket, body) => this.seen(socket, body)],
    ['delivery:pickedUp', (socket, body) => this.pickedUp(socket, body)],
    ['delivery:delivered', (socket, body) => this.delivered(socket, body)],
    ['delivery:failed', (socket, body) => this.failed(socket, body)],
  ]);

  onApplicationBootstrap(): void {
    this.server.attach(this.http.httpAdapter.getHttpServer() as Server);
    this.recheckTimer = setInterval(() => void this.recheck(), this.recheckMs);
    this.recheckTimer.unref();
  }

  /** Riders' apps reconnect, to this instance once it is back or to another. */
  beforeApplicationShutdown(): void {
    clearInterval(this.recheckTimer);
    this.server.close();
  }

  /**
   * Closes, saying why (`session:ended`), the sockets here whose rider was disabled or whose token stopped working
   * since they joined. The dashboard's disable and revoke close them at once; this catches what changed only in the
   * database (the admin CLI) or only with time (a rotation's window ending). Each instance checks the sockets it
   * holds, so it needs nothing shared and misses nothing while another engine is away. Returns how many it closed.
   */
  async recheck(): Promise<number> {
    if (this.rechecking) return 0;
    this.rechecking = true;
    try {
      const sockets = this.server.joined();
      const ended = await this.riders.endedSessions(sockets.map((socket) => socket.session));
      let closed = 0;
      for (const socket of sockets) {
        const why = ended.get(sessionKey(socket.session));
        if (!why) continue;
        socket.emit('session:ended', why);
        socket.disconnect();
        closed++;
        this.logger.log(`rider ${socket.session.id}: socket ${socket.id} closed (${why.code}: ${why.message})`);
      }
      return closed;
    } catch (error) {
      this.logger.warn(`could not check connected riders again: ${(error as Error)?.message ?? String(error)}`);
      return 0;
    } finally {
      this.rechecking = false;
    }
  }

  /**
   * Refused before the socket joins: the client sees `connect_error` with the message. A token a rotation replaced,
   * past its window, is told so and when (`data`), and is not counted as a guess: it was real.
   */
  private async authenticate(auth: unknown): Promise<{ session: Connected } | Refusal> {
    try {
      const rider = await this.riders.authenticate((auth as { token?: unknown } | undefined)?.token);
      if (!rider) return { refused: 'UNAUTHENTICATED', wrongCredentials: true };
      if ('replacedUntil' in rider) {
        return { refused: 'UNAUTHENTICATED', data: { replacedUntil: rider.replacedUntil.toISOString(), message: replacedCredentialMessage('rider token', rider.replacedUntil) } };
      }
      return { session: { ...rider, client: readClientOptions(auth) } };
    } catch (error) {
      this.logger.error(`could not check a rider token: ${(error as Error)?.message ?? String(error)}`);
      return { refused: 'UNAVAILABLE' };
    }
  }

  private async connected(socket: Socket): Promise<void> {
    const rider = session(socket);
    const { client } = rider;
    // What the app missed since the last event it saw, in order, before the snapshot below.
    const opening = this.channel.open(rider.id, socket, { acknowledgesOffers: client.acknowledgesOffers, resume: client.resume });
    // Available at once only with a recent position; otherwise its first `location` wakes the dispatcher.
    const available = this.presence.connected(rider, socket.id);
    const { epoch, resumption, replayed } = await opening;
    this.logger.log(`rider ${rider.id} connected (socket ${socket.id})${resumption ? `; ${'rebuild' in resumption ? `rebuilds (${resumption.rebuild})` : `${replayed.length} events replayed`}` : ''}`);
    const snapshot = () => ({ seq: this.channel.lastSeq(rider.id) });
    socket.emit('presence', { state: this.presence.state(rider.id) }, snapshot());
    // A reconnect loses nothing: the rider's jobs, and the offers still waiting for an answer, come again.
    try {
      const [jobs, offers] = await Promise.all([this.riders.jobsOf(rider.id), this.offers.liveOffersFor(rider.id)]);
      // An app that must rebuild is told why each job it showed is gone, as the events it missed would have said.
      const carried = new Set(jobs.map((job) => job.id));
      const gone = resumption && 'rebuild' in resumption ? await this.riders.departures(rider.id, client.held.filter((id) => !carried.has(id))) : [];
      const at = snapshot();
      socket.emit('jobs', { deliveries: jobs }, at);
      for (const offer of offers) socket.emit('offer', offer, at);
      if (resumption) socket.emit('resume', { epoch, ...at, ...('rebuild' in resumption ? { rebuild: resumption.rebuild, gone } : { replayed: replayed.length }) }, at);
    } catch (error) {
      this.logger.error(`could not resend jobs and offers to rider ${rider.id}: ${(error as Error)?.message ?? String(error)}`);
    }
    this.metrics.riderResumed(resumption && ('rebuild' in resumption ? 'rebuild' : replayed.length));
    if (available) this.wakeup.wake();
  }

  private disconnected(socket: Socket): void {
    const rider = session(socket);
    this.channel.leave(rider.id, socket);
    const stillOnline = this.presence.disconnected(rider.id, socket.id);
    this.logger.log(`rider ${rider.id} disconnected (socket ${socket.id})${stillOnline ? '; still online on another socket' : ''}`);
  }

  /**
   * Any message at all is a sign of life, and one from a silent rider brings it back to matching; then its handler
   * answers. A body no reader should see (too deep, NUL, a lone surrogate) is refused first, whatever the event.
   * A message sent without asking for an answer (the app's positions, as a rule) gets none when it is taken; when
   * it is refused, the app is told by `refused`, naming the event.
   */
  private message(socket: Socket, event: string, body: unknown, ack: ((reply: Ack) => void) | undefined): void {
    if (this.presence.seen(session(socket).id)) this.wakeup.wake();
    const answerWith = (reply: Ack) => (ack ? ack(reply) : reply.ok || socket.emit('refused', { event, ...reply }));
    const problem = jsonInputProblem(body);
    if (problem) return void answerWith({ ok: false, ...DomainError.validation([problem]).toJSON() });
    const handle = this.messages.get(event);
    if (!handle) return;
    void handle(socket, body).then(answerWith);
  }

  location(socket: Socket, body: unknown): Promise<Ack> {
    return answer(async () => {
      const { lng, lat, at } = valid(readLocation(body));
      // A rider's first position makes it a candidate, so waiting deliveries may now be offered.
      if (this.presence.moved(session(socket).id, { lng, lat }, at === undefined ? undefined : new Date(at))) this.wakeup.wake();
      this.metrics.positionTaken();
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

  /** The app has the offer on screen: the offer is known to have arrived (see OfferReceipts). */
  seen(socket: Socket, body: unknown): Promise<Ack<{ seenAt: string | null }>> {
    return answer(async () => {
      const { offerId } = parse(OfferAnswer, body);
      return this.receipts.seen(session(socket).id, offerId);
    }, this.logger);
  }

  pickedUp(socket: Socket, body: unknown): Promise<Ack<{ delivery: RiderDeliveryView }>> {
    return answer(async () => {
      const { deliveryId, at } = parse(DeliveryReport, body);
      return { delivery: riderDeliveryView(await this.deliveries.pickUp(session(socket).id, deliveryId, dateOf(at))) };
    }, this.logger);
  }

  delivered(socket: Socket, body: unknown): Promise<Ack<{ delivery: RiderDeliveryView }>> {
    return answer(async () => {
      const { deliveryId, at } = parse(DeliveryReport, body);
      return { delivery: riderDeliveryView(await this.deliveries.deliver(session(socket).id, deliveryId, dateOf(at))) };
    }, this.logger);
  }

  /** The rider cannot finish the trip (the customer cannot be reached, an accident): it fails and frees the rider. */
  failed(socket: Socket, body: unknown): Promise<Ack<{ delivery: RiderDeliveryView }>> {
    return answer(async () => {
      const { deliveryId, reason, at } = parse(DeliveryFailureReport, body);
      return { delivery: riderDeliveryView(await this.operations.failByRider(session(socket).id, deliveryId, reason, dateOf(at))) };
    }, this.logger);
  }
}

function session(socket: Socket): Connected {
  return socket.session!;
}

/** A report's optional `at`, already checked to be ISO 8601. */
function dateOf(at: string | undefined): Date | undefined {
  return at === undefined ? undefined : new Date(at);
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
