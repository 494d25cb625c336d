import { Logger } from '@nestjs/common';
import type { MessageMappingProperties } from '@nestjs/websockets';
import { IoAdapter } from '@nestjs/platform-socket.io';
import { isObservable, type Observable } from 'rxjs';

/** Nest's own socket.io copy's Socket, which the base method is typed with. */
type NestSocket = Parameters<IoAdapter['bindMessageHandlers']>[0];

/**
 * Nest's IoAdapter, binding each `@SubscribeMessage` handler to a socket with one plain `socket.on` listener.
 *
 * The stock adapter builds an rxjs pipeline (`fromEvent` → `mergeMap` → `takeUntil(disconnect$)`, and a shared
 * disconnect stream) per handler for every socket: at 10,000 riders and nine handlers that was most of dispatch's
 * per-connection memory. This does what that pipeline did, without it: the handler (Nest's guards, pipes,
 * interceptors and filters included) runs for every message, concurrently with earlier ones; a result that is
 * null or undefined is dropped; `{ event, data }` is emitted back; any other result answers the ack, unless the
 * handler acks by hand; a failure is logged. Results that arrive after the socket disconnected are dropped, as
 * `takeUntil(disconnect$)` dropped them.
 */
export class RiderSocketAdapter extends IoAdapter {
  private readonly handlerLogger = new Logger('RiderSocketAdapter');

  override bindMessageHandlers(socket: NestSocket, handlers: MessageMappingProperties[], _transform: (data: unknown) => Observable<unknown>): void {
    for (const { message, callback, isAckHandledManually } of handlers) {
      socket.on(message as string, (...args: unknown[]) => {
        // As rxjs `fromEvent` hands them on: one argument alone, several as an array.
        const { data, ack } = this.mapPayload(args.length > 1 ? args : args[0]);
        const reply = (response: unknown) => {
          if (response === null || response === undefined || socket.disconnected) return;
          const { event, data: eventData } = response as { event?: string; data?: unknown };
          if (event) socket.emit(event, eventData);
          else if (!isAckHandledManually && typeof ack === 'function') ack(response);
        };
        const fail = (error: unknown) => this.handlerLogger.error(error);
        try {
          const result: unknown = callback(data, ack);
          if (isObservable(result)) result.subscribe({ next: reply, error: fail });
          else if (isThenable(result)) {
            result.then((settled) => {
              // A handler may resolve to an observable (Nest's pickResult flattens it).
              if (isObservable(settled)) settled.subscribe({ next: reply, error: fail });
              else reply(settled);
            }, fail);
          } else reply(result);
        } catch (error) {
          fail(error);
        }
      });
    }
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as PromiseLike<unknown> | null)?.then === 'function';
}
