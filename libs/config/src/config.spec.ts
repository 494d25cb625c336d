import { describe, expect, it } from '@jest/globals';
import { ConfigError, loadConfig } from './config.js';

describe('loadConfig', () => {
  it('gives the documented defaults for an empty environment', () => {
    const sut = loadConfig({});
    expect(sut.databaseUrl).toBeUndefined();
    expect(sut.transport).toBe('tcp');
    expect(sut.httpPorts).toEqual({ intake: 3000, dispatch: 3001, fee: 3002 });
    expect(sut.maps.detourFactor).toBe(1.3);
    expect(sut.dispatch.offerTimeoutSeconds).toBe(30);
  });

  it('names every bad variable at once', () => {
    const attempt = () => loadConfig({ TRANSPORT: 'kafka', INTAKE_PORT: 'eighty', TURF_DETOUR_FACTOR: '0.5' });
    expect(attempt).toThrow(ConfigError);
    try {
      attempt();
    } catch (error) {
      const problems = (error as ConfigError).problems.join('\n');
      expect(problems).toContain('TRANSPORT="kafka"');
      expect(problems).toContain('INTAKE_PORT="eighty"');
      expect(problems).toContain('TURF_DETOUR_FACTOR="0.5"');
    }
  });

  it('requires RABBITMQ_URL for the rmq transport', () => {
    expect(() => loadConfig({ TRANSPORT: 'rmq' })).toThrow(/RABBITMQ_URL: required/);
  });

  it('never echoes a database password in its error', () => {
    expect(() => loadConfig({ DATABASE_URL: 'mysql://u:hunter2@h/db' })).toThrow(/DATABASE_URL: protocol/);
    try {
      loadConfig({ DATABASE_URL: 'mysql://u:hunter2@h/db' });
    } catch (error) {
      expect(String(error)).not.toContain('hunter2');
    }
  });

  it('refuses two services on one port', () => {
    expect(() => loadConfig({ FEE_PORT: '3000' })).toThrow(/ports must be distinct/);
  });
});
