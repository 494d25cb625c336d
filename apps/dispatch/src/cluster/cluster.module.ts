import { Module, type OnApplicationBootstrap } from '@nestjs/common';
import { LeasesModule } from '../leases/leases.module.js';
import { RidersModule } from '../riders/riders.module.js';
import { ClusterRedis } from './cluster-redis.js';
import { ClusterWakeups } from './cluster-wakeups.js';
import { PresenceMirror } from './presence-mirror.js';
import { RedisRiderRelay } from './redis-rider-relay.js';

/**
 * Dispatch as one of several instances sharing riders through Redis (DISPATCH_CLUSTER=redis, docs/clustering.md):
 * rider events reach sockets on any instance and riders' streams survive an instance, every instance's planner
 * sees every rider, and a new delivery one instance takes is handed to its agency's owner. Imported only
 * in that mode: without it dispatch is one process with everything in memory.
 */
@Module({
  imports: [RidersModule, LeasesModule],
  providers: [ClusterRedis, RedisRiderRelay, PresenceMirror, ClusterWakeups],
  exports: [ClusterRedis],
})
export class ClusterModule implements OnApplicationBootstrap {
  constructor(private readonly redis: ClusterRedis) {}

  /** Connected before the rider socket server takes connections, or degraded at once if Redis is away. */
  async onApplicationBootstrap(): Promise<void> {
    await this.redis.start();
  }
}
