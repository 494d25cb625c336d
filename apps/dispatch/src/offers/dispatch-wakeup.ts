import { Injectable } from '@nestjs/common';

/**
 * Lets anything that changes what can be dispatched (a new delivery, a rider coming online or freeing up, a
 * declined offer) ask the dispatcher to sweep now rather than at its next tick, without depending on it. A new
 * delivery also asks for its price at once.
 */
@Injectable()
export class DispatchWakeup {
  private listener?: () => void;
  private pricing?: () => void;

  wake(): void {
    this.listener?.();
  }

  /** A delivery was created: it needs a price, then a rider. */
  created(): void {
    this.pricing?.();
    this.wake();
  }

  onWake(listener: () => void): void {
    this.listener = listener;
  }

  onCreated(listener: () => void): void {
    this.pricing = listener;
  }
}
