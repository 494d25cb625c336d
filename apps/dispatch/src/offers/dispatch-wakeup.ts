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
  private handOff?: (delivery: DeliveryEntity, failed: () => void) => boolean;
  private takeOver?: (deliveryId: string) => void;

  wake(): void {
    this.listener?.();
  }

  /**
   * A new delivery of an agency another instance plans: its pricing and first offer are handed to that instance
   * (where instances share a channel, see ClusterWakeups), which takes it as it takes its own new deliveries. False
   * when it cannot be handed over, and `failed` called when the hand-over fails on the way: the caller then prices
   * it itself, and the owner's rounds offer it.
   */
  handOver(delivery: DeliveryEntity, failed: () => void): boolean {
    return this.handOff?.(delivery, failed) ?? false;
  }

  onHandOver(listener: (delivery: DeliveryEntity, failed: () => void) => boolean): void {
    this.handOff = listener;
  }

  /** Another instance handed over a new delivery of an agency this one plans. */
  handedOver(deliveryId: string): void {
    this.takeOver?.(deliveryId);
  }

  onHandedOver(listener: (deliveryId: string) => void): void {
    this.takeOver = listener;
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
