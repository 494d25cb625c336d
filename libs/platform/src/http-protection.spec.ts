import { describe, expect, it } from '@jest/globals';
import { loadConfig } from '#config';
import { connectionCap } from './http-protection.js';

describe('connectionCap', () => {
  const limits = (env: Record<string, string> = {}) => loadConfig(env).http;

  it('takes what the open file limit leaves after 256 for the rest, and on dispatch after its riders too', () => {
    expect(connectionCap(limits(), 'intake', 20_000)).toBe(19_744);
    expect(connectionCap(limits(), 'dispatch', 20_000)).toBe(7_744);
    expect(connectionCap(limits({ RIDER_MAX_CONNECTIONS: '1000' }), 'dispatch', 1024)).toBe(64);
  });

  it('takes the configured cap as it is, 0 (none) included, and 4096 where the limit cannot be read', () => {
    expect(connectionCap(limits({ HTTP_MAX_CONNECTIONS: '500' }), 'fee', 20_000)).toBe(500);
    expect(connectionCap(limits({ HTTP_MAX_CONNECTIONS: '0' }), 'fee', 20_000)).toBe(0);
    expect(connectionCap(limits(), 'fee', undefined)).toBe(4096);
  });
});
