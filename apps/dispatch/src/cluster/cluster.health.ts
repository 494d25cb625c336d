import type { HealthCheck } from '#platform';
import type { ClusterRedis } from './cluster-redis.js';

/**
 * Whether this instance is connected to the Redis dispatch instances share, and subscribed. Down while Redis is away:
 * the instance still serves and offers its own riders, but events for riders on other instances and their positions
 * do not pass until it is back (docs/clustering.md); not critical, nothing is lost.
 */
export function clusterRedisCheck(redis: ClusterRedis): HealthCheck {
  return {
    name: 'cluster-redis',
    critical: false,
    check: async () => {
      if (!redis.sharing) throw new Error('Redis unreachable: riders are shared with no other instance until it is back');
      return { instance: redis.instanceId };
    },
  };
}
