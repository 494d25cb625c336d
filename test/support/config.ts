import { loadConfig, type AppConfig } from '../../libs/config/src/config.js';
import { testPorts } from './ports.js';

/**
 * Configuration for a test: its own ports for every listener, quiet logs, and the given overrides. Event-loop delay
 * does not shed load here: on a machine shared with other test processes the loop lags for reasons of theirs.
 */
export async function testConfig(env: Record<string, string> = {}): Promise<AppConfig> {
  return loadConfig({ LOG_LEVEL: 'warn', OUTBOX_POLL_INTERVAL_MS: '50', ...NO_DELAY_SHEDDING, ...(await servicePortsEnv()), ...env });
}

export const NO_DELAY_SHEDDING = { OVERLOAD_MAX_EVENT_LOOP_DELAY_MS: '0' };

/** The environment a spawned service process gets for the same configuration. */
export function envFor(config: AppConfig, databaseUrl: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    DATABASE_URL: databaseUrl,
    TRANSPORT: config.transport,
    ...(config.rabbitmqUrl ? { RABBITMQ_URL: config.rabbitmqUrl } : {}),
    INTAKE_PORT: String(config.httpPorts.intake),
    DISPATCH_PORT: String(config.httpPorts.dispatch),
    FEE_PORT: String(config.httpPorts.fee),
    INTAKE_RPC_PORT: String(config.rpcPorts.intake),
    DISPATCH_RPC_PORT: String(config.rpcPorts.dispatch),
    FEE_RPC_PORT: String(config.rpcPorts.fee),
    LOG_LEVEL: config.logLevel,
    OVERLOAD_MAX_EVENT_LOOP_DELAY_MS: String(config.http.maxEventLoopDelayMs),
    ...extra,
  };
}

/** Distinct ports (see `testPorts`) for every listener of the three services, as environment variables. */
export async function servicePortsEnv(): Promise<Record<string, string>> {
  const names = ['INTAKE_PORT', 'DISPATCH_PORT', 'FEE_PORT', 'INTAKE_RPC_PORT', 'DISPATCH_RPC_PORT', 'FEE_RPC_PORT'];
  const ports = await testPorts(names.length);
  return Object.fromEntries(names.map((name, i) => [name, String(ports[i])]));
}
