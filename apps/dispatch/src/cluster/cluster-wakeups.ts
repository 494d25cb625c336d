import { Injectable } from '@nestjs/common';
import { AgencyLeases } from '../leases/agency-leases.service.js';
import { DispatchWakeup } from '../offers/dispatch-wakeup.js';
import { ClusterRedis } from './cluster-redis.js';

/** A new delivery handed to the instance that plans its agency. */
interface HandOver {
  agencyId: string;
  deliveryId: string;
}

/**
 * Orders reach whichever instance the transport gives them to. An instance that takes one for an agency another
 * instance plans hands the new delivery over on the hand-over channel, and the owner prices and offers it at once
 * as it does its own (one transaction, no round to wait for). While Redis is away, when the publish fails, or when
 * no other instance was listening to hear it, the instance prices it itself and the owner's rounds offer it. A
 * hand-over heard but lost (the owner gone meanwhile) costs a wait for the new owner's pricing pass, never the
 * delivery, which waits in the database.
 */
@Injectable()
export class ClusterWakeups {
  private readonly channelName: string;

  constructor(
    private readonly redis: ClusterRedis,
    private readonly leases: AgencyLeases,
    wakeup: DispatchWakeup,
  ) {
    this.channelName = `${redis.prefix}hand-over`;
    redis.on(this.channelName, (text) => {
      const { agencyId, deliveryId } = JSON.parse(text) as HandOver;
      if (typeof agencyId === 'string' && typeof deliveryId === 'string' && this.leases.owns(agencyId)) wakeup.handedOver(deliveryId);
    });
    wakeup.onHandOver(({ agencyId, id }, failed) => {
      if (!redis.connected) return false;
      const message: HandOver = { agencyId, deliveryId: id };
      // Redis counts this instance among the listeners while it is subscribed: only the others can be the owner.
      const ownListener = redis.sharing ? 1 : 0;
      redis.commands.publish(this.channelName, JSON.stringify(message)).then(
        (listeners) => {
          if (listeners - ownListener >= 1) return;
          redis.warn(`no other instance heard delivery ${id} handed over, pricing it here`);
          failed();
        },
        (error: Error) => {
          redis.warn(`could not hand delivery ${id} over, pricing it here: ${error.message}`);
          failed();
        },
      );
      return true;
    });
  }
}
