import { describe, expect, it } from '@jest/globals';
import { loadConfig } from './config.js';

describe('DISPATCH_CLUSTER', () => {
  it('is one process with nothing shared unless told', () => {
    expect(loadConfig({}).dispatchCluster).toEqual({
      engine: 'none',
      redisUrl: undefined,
      keyPrefix: 'baecha:',
      refreshMs: 10_000,
      presenceBatchMs: 100,
      instanceTimeoutMs: 5000,
    });
  });

  it('shares through Redis with REDIS_URL', () => {
    const sut = loadConfig({ DISPATCH_CLUSTER: 'redis', REDIS_URL: 'redis://127.0.0.1:6379/3', REDIS_KEY_PREFIX: 'stack1:' });
    expect(sut.dispatchCluster).toMatchObject({ engine: 'redis', redisUrl: 'redis://127.0.0.1:6379/3', keyPrefix: 'stack1:' });
  });

  it('names REDIS_URL when redis is chosen without it', () => {
    expect(() => loadConfig({ DISPATCH_CLUSTER: 'redis' })).toThrow(/REDIS_URL: required when DISPATCH_CLUSTER=redis/);
  });

  it('names an unknown engine, a URL that is not Redis, and never echoes its password', () => {
    expect(() => loadConfig({ DISPATCH_CLUSTER: 'postgres' })).toThrow(/DISPATCH_CLUSTER="postgres": must be one of none, redis/);
    let message = '';
    try {
      loadConfig({ DISPATCH_CLUSTER: 'redis', REDIS_URL: 'http://user:s3cret@example.com' });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/REDIS_URL: protocol must be redis: or rediss:/);
    expect(message).not.toContain('s3cret');
  });

  it('refuses an instance timeout shorter than two presence batches', () => {
    expect(() => loadConfig({ DISPATCH_CLUSTER_PRESENCE_BATCH_MS: '500', DISPATCH_CLUSTER_INSTANCE_TIMEOUT_MS: '600' })).toThrow(
      /DISPATCH_CLUSTER_INSTANCE_TIMEOUT_MS=600: must be at least twice DISPATCH_CLUSTER_PRESENCE_BATCH_MS \(500\)/,
    );
  });
});
