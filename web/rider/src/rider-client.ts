import { io, type Socket } from 'socket.io-client';
import { LOCATION_CONFIRM_MS } from '../../../libs/contracts/src/rider-protocol/location-stream';
import type { OfflineStore, PendingReport, StreamPosition } from './offline-store';
import type { Ack, Delivery, FeeUpdate, Offer, Position, Presence, TimingUpdate } from './protocol';
import type { RiderAction } from './rider-state';

const ACK_TIMEOUT_MS = 5000;
const HEARTBEAT_MS = 10_000;
const RETRY_UNAVAILABLE_MS = 3000;

/** Codes after which a report is settled, though refused: sending it again would be refused the same way. */
const SETTLED = new Set(['DELIVERY_NOT_FOUND', 'INVALID_TRANSITION', 'VALIDATION_FAILED']);

/**
 * One rider session over socket.io (namespace `/riders` on the origin that served the page). Server events
 * become reducer actions; every message waits for its answer and is sent once more on a timeout, which the
 * protocol makes safe. Pickup, delivery and failure reports go through the device's outbox (OfflineStore) with
 * the time they were made, and leave in order once connected, each until the server answers it: they work with
 * no network at all. The app acknowledges every offer (`offer:seen`) and resumes the server's event stream on
 * reconnecting, so what happened while it was away is replayed with its reasons.
 */
export class RiderClient {
  private readonly socket: Socket;
  private heartbeat: ReturnType<typeof setInterval> | undefined;
  private retry: ReturnType<typeof setTimeout> | undefined;
  private lastSentAt = 0;
  /** When the server last confirmed a position on this connection (0: not yet). */
  private locationConfirmedAt = 0;
  /** The position to report again on every (re)connect, so the rider is matched without waiting for a move. */
  private lastPosition: Position | undefined;
  /** The rider wants to be on (started, not stopped): the socket connects whenever the network allows. */
  private wanted = false;
  /** Why dispatch ended the session for good (`session:ended`), once it said so: nothing reconnects after it. */
  private endedWhy: string | undefined;
  private flushing = false;
  private clockOffsetMs = 0;
  private readonly onNetwork = () => this.network(navigator.onLine);

  constructor(
    token: string,
    private readonly dispatch: (action: RiderAction) => void,
    private readonly store: OfflineStore,
    /** Where the app last was in the server's stream (kept across reloads), or null. */
    private stream: StreamPosition | null,
    private readonly onOffer: (offer: Offer) => void = () => {},
    /** The deliveries the screen shows as the rider's jobs. */
    private readonly heldJobs: () => string[] = () => [],
    /** A position sent without asking for an answer was refused (the server says so by `refused`). */
    private readonly onLocationRefused: (answer: Extract<Ack, { ok: false }>) => void = () => {},
  ) {
    this.socket = io('/riders', {
      // Read on every (re)connect: the stream position moves on with every event.
      auth: (send) => send({ token, acknowledgesOffers: true, resume: this.stream, held: this.heldJobs() }),
      transports: ['websocket'],
      autoConnect: false,
      reconnectionDelayMax: 3000,
    });
    // Every event's second argument is its number in the rider's stream: the last one seen is where to resume.
    const on = <T>(event: string, handler: (payload: T) => void) =>
      this.socket.on(event, (payload: T, meta?: { seq?: number }) => {
        if (this.stream && typeof meta?.seq === 'number' && meta.seq > this.stream.seq) this.keepStream({ ...this.stream, seq: meta.seq });
        handler(payload);
      });
    window.addEventListener('online', this.onNetwork);
    window.addEventListener('offline', this.onNetwork);

    this.socket.on('connect', () => {
      clearTimeout(this.retry);
      this.locationConfirmedAt = 0;
      dispatch({ type: 'connected' });
      void this.syncClock();
      if (this.lastPosition) void this.sendLocation(this.lastPosition);
      clearInterval(this.heartbeat);
      this.heartbeat = setInterval(() => {
        if (Date.now() - this.lastSentAt >= HEARTBEAT_MS - 500) void this.syncClock();
      }, HEARTBEAT_MS);
    });
    this.socket.on('disconnect', () => {
      clearInterval(this.heartbeat);
      if (this.endedWhy) return dispatch({ type: 'connection', connection: 'unauthorized', why: this.endedWhy });
      // An intended disconnect leaves the socket inactive; a lost one is retried by socket.io itself, and one for
      // want of a network when it returns.
      dispatch({ type: 'connection', connection: this.socket.active || this.wanted ? 'reconnecting' : 'idle' });
    });
    this.socket.on('connect_error', (error: Error & { data?: { retryAfterSeconds?: number } }) => {
      if (this.socket.active) return dispatch({ type: 'connection', connection: 'reconnecting' });
      if (error.message === 'UNAUTHENTICATED') return dispatch({ type: 'connection', connection: 'unauthorized' });
      // socket.io does not retry a refusal, so we do: at once the address may try again, or soon when it could not be checked.
      let retryMs = RETRY_UNAVAILABLE_MS;
      if (error.message === 'TOO_MANY_ATTEMPTS') {
        const seconds = error.data?.retryAfterSeconds ?? 60;
        retryMs = seconds * 1000;
        dispatch({ type: 'notice', text: `이 네트워크에서 로그인 실패가 너무 많습니다. ${seconds}초 뒤에 다시 연결합니다.`, tone: 'warn' });
      }
      dispatch({ type: 'connection', connection: 'reconnecting' });
      clearTimeout(this.retry);
      this.retry = setTimeout(() => this.socket.connect(), retryMs);
    });

    this.socket.on('refused', ({ event, ...answer }: { event: string } & Extract<Ack, { ok: false }>) => {
      if (event !== 'location') return;
      // The next one asks for its answer, so the screen shows whether positions are taken again.
      this.locationConfirmedAt = 0;
      this.onLocationRefused(answer);
    });
    on<{ state: Presence }>('presence', ({ state }) => dispatch({ type: 'presence', presence: state }));
    on<{ deliveries: Delivery[] }>('jobs', ({ deliveries }) => {
      dispatch({ type: 'jobs', deliveries, at: new Date().toISOString() });
      // After the server's list, so an answer to a report is never overtaken by a list read before it.
      void this.flush();
    });
    on<Offer>('offer', (offer) => {
      dispatch({ type: 'offer', offer });
      void this.socket.timeout(ACK_TIMEOUT_MS).emitWithAck('offer:seen', { offerId: offer.offerId }).catch(() => undefined);
      this.onOffer(offer);
    });
    on<{ epoch: string; seq: number; rebuild?: string; gone?: Departure[] }>('resume', ({ epoch, seq, rebuild, gone }) => {
      this.keepStream({ epoch, seq });
      if (rebuild === 'too_old') dispatch({ type: 'notice', text: '연결이 오래 끊겨 있어 화면을 서버 기준으로 새로 맞췄습니다.', tone: 'warn' });
      // The jobs that went while the app was away, each with why (the list above has already dropped them).
      for (const departure of gone ?? []) dispatch({ type: 'notice', text: departureNotice(departure), tone: 'warn' });
    });
    on<{ offerId: string }>('offer:expired', ({ offerId }) => dispatch({ type: 'offer:gone', offerId, notice: '응답 시간이 지나 배차 제안이 넘어갔습니다.' }));
    on<{ offerId: string }>('offer:taken', ({ offerId }) => dispatch({ type: 'offer:gone', offerId, notice: '다른 라이더가 먼저 배차를 받았습니다.' }));
    on<{ deliveryId: string }>('delivery:cancelled', ({ deliveryId }) => dispatch({ type: 'delivery:gone', deliveryId, notice: '배달이 취소되었습니다.' }));
    on<Delivery>('delivery:assigned', (delivery) => dispatch({ type: 'delivery', delivery, notice: `관제에서 배차했습니다: ${delivery.restaurantName}` }));
    on<{ deliveryId: string; reason: string }>('delivery:unassigned', ({ deliveryId, reason }) =>
      dispatch({ type: 'delivery:gone', deliveryId, notice: `관제에서 배차를 회수했습니다${reason ? ` (${reason})` : ''}.` }),
    );
    on<{ deliveryId: string; reason: string }>('delivery:failed', ({ deliveryId, reason }) =>
      dispatch({ type: 'delivery:gone', deliveryId, notice: `관제에서 배달 실패로 처리했습니다${reason ? ` (${reason})` : ''}.` }),
    );
    on<FeeUpdate>('delivery:fee', (update) => dispatch({ type: 'fee', update }));
    on<{ code: string; replacedUntil?: string }>('session:ended', ({ code, replacedUntil }) => {
      this.wanted = false;
      this.endedWhy =
        code === 'RIDER_DISABLED'
          ? '관제에서 이 라이더의 사용을 중지했습니다.'
          : replacedUntil
            ? `토큰이 교체되어 ${new Date(replacedUntil).toLocaleString('ko-KR')}부터 쓸 수 없습니다. 새 토큰으로 다시 로그인하세요.`
            : '이 토큰은 더 이상 쓸 수 없습니다. 다시 로그인하세요.';
    });
    on<TimingUpdate>('delivery:timing', (update) => {
      dispatch({ type: 'timing', update });
      dispatch({ type: 'notice', text: update.readyChange === 'ready' ? '식당: 조리가 끝났습니다.' : `식당: 조리가 ${update.delayMinutes ?? ''}분 늦어집니다.` });
    });
  }

  start(): void {
    this.wanted = true;
    this.dispatch({ type: 'network', online: navigator.onLine });
    if (!navigator.onLine) return this.dispatch({ type: 'connection', connection: 'reconnecting' });
    this.dispatch({ type: 'connection', connection: 'connecting' });
    this.socket.connect();
  }

  /** The browser lost or found its network: without one the socket is closed rather than left to time out. */
  private network(online: boolean): void {
    this.dispatch({ type: 'network', online });
    if (!this.wanted) return;
    if (online && !this.socket.connected) this.socket.connect();
    if (!online) {
      clearTimeout(this.retry);
      this.socket.disconnect();
    }
  }

  /** Going offline: the server keeps accepted deliveries assigned. */
  stop(): void {
    this.wanted = false;
    clearTimeout(this.retry);
    clearInterval(this.heartbeat);
    this.socket.disconnect();
    this.dispatch({ type: 'connection', connection: 'idle' });
  }

  get connected(): boolean {
    return this.socket.connected;
  }

  /**
   * Reports where the rider is. Undefined while not connected (the last position is reported on connecting). Most
   * positions go without asking for an answer, which spares the rider's radio and the server a packet each: a
   * refused one is told by `refused`. The first on a connection, and one every LOCATION_CONFIRM_MS, wait for it.
   */
  async sendLocation(position: Position): Promise<Ack | undefined> {
    this.lastPosition = position;
    if (!this.socket.connected) return undefined;
    const body = { lng: position.lng, lat: position.lat };
    if (this.locationConfirmedAt > 0 && Date.now() - this.locationConfirmedAt < LOCATION_CONFIRM_MS) {
      this.lastSentAt = Date.now();
      this.socket.emit('location', body);
      return { ok: true };
    }
    const answer = await this.ask('location', body);
    if (answer.ok) this.locationConfirmedAt = Date.now();
    return answer;
  }

  /** Sends and waits for the answer, once more after a timeout; a second timeout answers `TIMEOUT`. */
  async ask<T = object>(event: string, payload?: unknown): Promise<Ack<T>> {
    for (let attempt = 0; ; attempt++) {
      try {
        this.lastSentAt = Date.now();
        const sender = this.socket.timeout(ACK_TIMEOUT_MS);
        return (await (payload === undefined ? sender.emitWithAck(event) : sender.emitWithAck(event, payload))) as Ack<T>;
      } catch {
        if (attempt >= 1 || !this.socket.connected) return { ok: false, code: 'TIMEOUT', message: '서버 응답이 없습니다.' };
      }
    }
  }

  private async syncClock(): Promise<void> {
    const sentAt = Date.now();
    const answer = await this.ask<{ serverTime: string }>('heartbeat');
    if (!answer.ok) return;
    const receivedAt = Date.now();
    this.clockOffsetMs = Date.parse(answer.serverTime) - (sentAt + receivedAt) / 2;
    this.dispatch({ type: 'clock', offsetMs: this.clockOffsetMs });
  }

  private keepStream(stream: StreamPosition): void {
    this.stream = stream;
    void this.store.put('stream', stream);
  }

  /**
   * A pickup, delivery or failure: kept on the device with when it happened (by the device's clock, corrected by
   * the server's as last measured), shown at once, and sent when connected.
   */
  async report(event: PendingReport['event'], job: Delivery, reason?: string): Promise<void> {
    const at = new Date(Date.now() + this.clockOffsetMs).toISOString();
    const report = await this.store.enqueue({ event, payload: { deliveryId: job.id, at, ...(reason ? { reason } : {}) }, restaurantName: job.restaurantName });
    this.dispatch({ type: 'queued', report });
    void this.flush();
  }

  /**
   * Sends the outbox in order, each report until the server answers it: one answer lost on the way is sent again,
   * which the server takes as the same report. Stops at the first that could not be answered, for the next connect.
   */
  async flush(): Promise<void> {
    if (this.flushing) return;
    this.flushing = true;
    try {
      for (let report = (await this.store.pending())[0]; report && this.socket.connected; report = (await this.store.pending())[0]) {
        let answer = await this.ask<{ delivery: Delivery }>(report.event, report.payload);
        if (!answer.ok && answer.code === 'REPORTED_AT_REFUSED') {
          // The device's clock cannot be believed: the report stands, dated when the server receives it.
          const { at: _refused, ...undated } = report.payload;
          answer = await this.ask<{ delivery: Delivery }>(report.event, undated);
        }
        if (!answer.ok && !SETTLED.has(answer.code)) break;
        await this.store.remove(report.id);
        this.dispatch({ type: 'report:done', id: report.id });
        this.settled(report, answer);
      }
    } finally {
      this.flushing = false;
    }
  }

  private settled(report: PendingReport, answer: Ack<{ delivery: Delivery }>): void {
    if (answer.ok) {
      const { delivery } = answer;
      const notice =
        delivery.status === 'delivered' ? `배달을 완료했습니다: ${delivery.restaurantName}` : delivery.status === 'failed' ? `배달 불가로 보고했습니다: ${delivery.restaurantName}` : undefined;
      return this.dispatch({ type: 'delivery', delivery, notice });
    }
    if (answer.code === 'DELIVERY_NOT_FOUND') {
      return this.dispatch({ type: 'delivery:gone', deliveryId: report.payload.deliveryId, notice: `${report.restaurantName}: 더 이상 내 배달이 아니라 보고가 반영되지 않았습니다.` });
    }
    this.dispatch({ type: 'notice', text: `${report.restaurantName}: 보고가 반영되지 않았습니다 (${answer.message}).`, tone: 'warn' });
  }

  close(): void {
    this.stop();
    window.removeEventListener('online', this.onNetwork);
    window.removeEventListener('offline', this.onNetwork);
    this.socket.removeAllListeners();
  }
}

/** A job that went while the app was away, as `resume` tells it after a rebuild (docs/rider-protocol.md). */
export interface Departure {
  deliveryId: string;
  restaurantName: string;
  outcome: 'cancelled' | 'reassigned' | 'unassigned' | 'delivered' | 'failed';
  by: 'agency' | 'rider' | 'restaurant' | 'system';
  reason: string | null;
  at: string;
}

/** What the rider is told of a job that went while away. */
export function departureNotice({ restaurantName, outcome, by, reason }: Departure): string {
  const why = reason ? ` (${reason})` : '';
  switch (outcome) {
    case 'cancelled':
      return `${restaurantName}: 배달이 취소되었습니다${why}.`;
    case 'reassigned':
      return `${restaurantName}: 관제에서 다른 라이더에게 넘겼습니다${why}.`;
    case 'unassigned':
      return `${restaurantName}: 관제에서 배차를 회수했습니다${why}.`;
    case 'failed':
      return `${restaurantName}: ${by === 'agency' ? '관제에서 ' : ''}배달 실패로 처리되었습니다${why}.`;
    case 'delivered':
      return `${restaurantName}: 배달 완료로 처리되었습니다.`;
  }
}
