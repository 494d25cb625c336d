import { Injectable, Logger, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { RmqContext } from '@nestjs/microservices';
import { tap, type Observable } from 'rxjs';

/** Codes that will fail the same way on every redelivery. */
const PERMANENT = new Set(['VALIDATION_FAILED']);

/**
 * With RabbitMQ and `noAck: false`, a message is acknowledged only when its handler has finished, i.e. after
 * the handler's transaction committed. A crash before that leaves it in the queue for redelivery. A transient
 * failure is requeued after a pause (no hot loop); a permanent one is dead-lettered. Other transports pass through.
 */
@Injectable()
export class AckInterceptor implements NestInterceptor {
  private readonly logger = new Logger('ack');

  private readonly requeueDelayMs = 1000;

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'rpc') return next.handle();
    const rmq = context.switchToRpc().getContext();
    if (!(rmq instanceof RmqContext)) return next.handle();
    const channel = rmq.getChannelRef();
    const message = rmq.getMessage();
    let settled = false;
    const settle = (fn: () => void) => {
      if (settled) return;
      settled = true;
      try {
        fn();
      } catch (error) {
        // The channel closed under us; the broker redelivers the message to the next consumer.
        this.logger.warn(`could not settle ${rmq.getPattern()}: ${(error as Error).message}`);
      }
    };
    return next.handle().pipe(
      tap({
        complete: () => settle(() => channel.ack(message)),
        error: (error: { code?: string }) => {
          if (PERMANENT.has(String(error?.code))) {
            this.logger.error(`dead-lettering ${rmq.getPattern()}: ${JSON.stringify(error)}`);
            settle(() => channel.nack(message, false, false));
          } else {
            setTimeout(() => settle(() => channel.nack(message, false, true)), this.requeueDelayMs).unref();
          }
        },
      }),
    );
  }
}
