import type { Reader } from './config.js';

/**
 * How dispatch instances share what riders need (docs/clustering.md): `none`, one process with everything in
 * memory; `redis`, rider events, presence and positions go through the Redis at REDIS_URL.
 */
export interface DispatchClusterConfig {
  engine: 'none' | 'redis';
  /** Required when `engine` is `redis`. */
  redisUrl?: string;
  /** Prepended to every Redis key and channel, so separate stacks can share one Redis. */
  keyPrefix: string;
  /** How often an instance says which riders it holds; an entry not refreshed for three times this is forgotten. */
  refreshMs: number;
  /** Presence and position changes are published in batches this often. */
  presenceBatchMs: number;
  /** An instance not heard from for this long is taken as gone: its riders are offline on every other instance. */
  instanceTimeoutMs: number;
}

export function readDispatchCluster(r: Reader): DispatchClusterConfig {
  const engine = r.oneOf('DISPATCH_CLUSTER', ['none', 'redis'] as const, 'none');
  const redisUrl = r.url('REDIS_URL', ['redis:', 'rediss:']);
  if (engine === 'redis' && !redisUrl) r.problems.push('REDIS_URL: required when DISPATCH_CLUSTER=redis (e.g. redis://127.0.0.1:6379)');
  const cluster: DispatchClusterConfig = {
    engine,
    redisUrl,
    keyPrefix: r.string('REDIS_KEY_PREFIX', 'baecha:')!,
    refreshMs: r.int('DISPATCH_CLUSTER_REFRESH_MS', 10_000, 100, 600_000)!,
    presenceBatchMs: r.int('DISPATCH_CLUSTER_PRESENCE_BATCH_MS', 100, 1, 10_000)!,
    instanceTimeoutMs: r.int('DISPATCH_CLUSTER_INSTANCE_TIMEOUT_MS', 5000, 100, 600_000)!,
  };
  if (cluster.instanceTimeoutMs < 2 * cluster.presenceBatchMs) {
    r.problems.push(`DISPATCH_CLUSTER_INSTANCE_TIMEOUT_MS=${cluster.instanceTimeoutMs}: must be at least twice DISPATCH_CLUSTER_PRESENCE_BATCH_MS (${cluster.presenceBatchMs})`);
  }
  return cluster;
}
