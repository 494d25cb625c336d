import { io, type Socket } from 'socket.io-client';
import type { Ack, Delivery, FeeUpdate, Offer, Position, Presence, TimingUpdate } from './protocol';
import type { RiderAction } from './rider-state';

const ACK_TIMEOUT_MS = 5000;
const HEARTBEAT_MS = 10_000;
const RETRY_UNAVAILABLE_MS = 3000;

/**
 * One rider session over socket.io (namespace `/riders` on the origin that served the page). Server events
 * become reducer actions; every message waits for its answer and is sent once more on a timeout, which the
 * protocol makes safe.
 */
export class RiderClient {
  private readonly socket: Socket;
  private heartbeat: ReturnType<typeof setInterval> | undefined;
  private retry: ReturnType<typeof setTimeout> | undefined;
  private lastSentAt = 0;
  /** The position to report again on every (re)connect, so the rider is matched without waiting for a move. */
  private lastPosition: Position | undefined;

  constructor(
    token: string,
    private readonly dispatch: (action: RiderAction) => void,
  ) {
    this.socket = io('/riders', { auth: { token }, transports: ['websocket'], autoConnect: false, reconnectionDelayMax: 3000 });
    const on = <T>(event: string, handler: (payload: T) => void) => this.socket.on(event, handler);

    this.socket.on('connect', () => {
      clearTimeout(this.retry);
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
      // An intended disconnect leaves the socket inactive; a lost one is retried by socket.io itself.
      dispatch({ type: 'connection', connection: this.socket.active ? 'reconnecting' : 'idle' });
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

    on<{ state: Presence }>('presence', ({ state }) => dispatch({ type: 'presence', presence: state }));
    on<{ deliveries: Delivery[] }>('jobs', ({ deliveries }) => dispatch({ type: 'jobs', deliveries }));
    on<Offer>('offer', (offer) => dispatch({ type: 'offer', offer }));
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
    on<TimingUpdate>('delivery:timing', (update) => {
      dispatch({ type: 'timing', update });
      dispatch({ type: 'notice', text: update.readyChange === 'ready' ? '식당: 조리가 끝났습니다.' : `식당: 조리가 ${update.delayMinutes ?? ''}분 늦어집니다.` });
    });
  }

  start(): void {
    this.dispatch({ type: 'connection', connection: 'connecting' });
    this.socket.connect();
  }

  /** Going offline: the server keeps accepted deliveries assigned. */
  stop(): void {
    clearTimeout(this.retry);
    clearInterval(this.heartbeat);
    this.socket.disconnect();
    this.dispatch({ type: 'connection', connection: 'idle' });
  }

  get connected(): boolean {
    return this.socket.connected;
  }

  async sendLocation(position: Position): Promise<Ack | undefined> {
    this.lastPosition = position;
    if (!this.socket.connected) return undefined;
    return this.ask('location', { lng: position.lng, lat: position.lat });
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
    this.dispatch({ type: 'clock', offsetMs: Date.parse(answer.serverTime) - (sentAt + receivedAt) / 2 });
  }

  close(): void {
    this.stop();
    this.socket.removeAllListeners();
  }
}
