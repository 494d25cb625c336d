import { Injectable } from '@nestjs/common';

/**
 * Lets anything that changes what can be dispatched (a new delivery, a rider coming online or freeing up, a
 * declined offer) ask the dispatcher to sweep now rather than at its next tick, without depending on it.
 */
@Injectable()
export class DispatchWakeup {
  private listener?: () => void;

  wake(): void {
    this.listener?.();
  }

  onWake(listener: () => void): void {
    this.listener = listener;
  }
}
