import { Injectable } from '@nestjs/common';
import { AgencyLeases } from '../leases/agency-leases.service.js';
import { DispatchWakeup } from '../offers/dispatch-wakeup.js';
import { ClusterRedis } from './cluster-redis.js';

/**
 * Orders reach whichever instance the transport gives them to; an instance that prices a delivery of an agency
 * another instance plans stores the price, and says so on the wake channel, so the owner plans a round now rather
 * than at its next tick (a second, by default, on the order's way to a rider). Only a hint: a lost one (Redis
 * away) costs that tick, never the delivery, which waits in the database.
 */
@Injectable()
export class ClusterWakeups {
  private readonly channelName: string;

  constructor(
    private readonly redis: ClusterRedis,
    private readonly leases: AgencyLeases,
    wakeup: DispatchWakeup,
  ) {
    this.channelName = `${redis.prefix}wake`;
    redis.on(this.channelName, (agencyId) => {
      if (this.leases.owns(agencyId)) wakeup.wake();
    });
    wakeup.onPricedElsewhere((agencyId) => {
      if (!redis.connected) return;
      redis.commands.publish(this.channelName, agencyId).catch((error: Error) => redis.warn(`could not publish a wake-up: ${error.message}`));
    });
  }
}
