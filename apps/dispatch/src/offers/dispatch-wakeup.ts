import { Injectable } from '@nestjs/common';
import type { DeliveryEntity } from '../deliveries/delivery.entity.js';

/**
 * Lets what changes the dispatcher's work reach it at once without depending on it: a new delivery goes straight
 * to pricing (which offers it once priced), and anything that changes what can be dispatched (a rider coming online
 * or freeing up, a declined offer) asks for a sweep now rather than at the next tick. A hand-off only saves
 * time: the delivery is in the database, and the dispatcher's rounds find it there if one is missed (a crash, a
 * full queue).
 */
@Injectable()
export class DispatchWakeup {
  private listener?: () => void;
  private pricing?: (delivery: DeliveryEntity) => void;
  private elsewhere?: (agencyId: string) => void;

  wake(): void {
    this.listener?.();
  }

  /**
   * A delivery of an agency another instance plans was priced here: that instance is asked for a round now (where
   * instances share a channel, see ClusterWakeups) rather than finding it at its next tick.
   */
  pricedElsewhere(agencyId: string): void {
    this.elsewhere?.(agencyId);
  }

  onPricedElsewhere(listener: (agencyId: string) => void): void {
    this.elsewhere = listener;
  }

  /** A delivery was created: it needs a price, then a rider. */
  created(delivery: DeliveryEntity): void {
    this.pricing?.(delivery);
  }

  onWake(listener: () => void): void {
    this.listener = listener;
  }

  onCreated(listener: (delivery: DeliveryEntity) => void): void {
    this.pricing = listener;
  }
}
