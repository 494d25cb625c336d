import { Module, type OnApplicationBootstrap } from '@nestjs/common';
import { RidersModule } from '../riders/riders.module.js';
import { ClusterRedis } from './cluster-redis.js';
import { PresenceMirror } from './presence-mirror.js';
import { RedisRiderRelay } from './redis-rider-relay.js';

/**
 * Dispatch as one of several instances sharing riders through Redis (DISPATCH_CLUSTER=redis, docs/clustering.md):
 * rider events reach sockets on any instance and riders' streams survive an instance, and every instance's planner
 * sees every rider. Imported only in that mode: without it dispatch is one process with everything in memory.
 */
@Module({
  imports: [RidersModule],
  providers: [ClusterRedis, RedisRiderRelay, PresenceMirror],
  exports: [ClusterRedis],
})
export class ClusterModule implements OnApplicationBootstrap {
  constructor(private readonly redis: ClusterRedis) {}

  /** Connected before the rider socket server takes connections, or degraded at once if Redis is away. */
  async onApplicationBootstrap(): Promise<void> {
    await this.redis.start();
  }
}
