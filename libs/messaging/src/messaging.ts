import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { ClientProxyFactory, type ClientProxy } from '@nestjs/microservices';
import { createConnection } from 'node:net';
import { lastValueFrom, timeout } from 'rxjs';
import { APP_CONFIG, type AppConfig, type ServiceName } from '#config';
import { CONSUMER_OF } from '#contracts';
import type { HealthCheck } from '#platform';
import { clientOptions } from './transport.js';

type Pattern = keyof typeof CONSUMER_OF;

/**
 * The service's way out: publishes events to their consumer and asks request/reply questions. One client per
 * peer, created once and reused.
 */
@Injectable()
export class Messaging implements OnApplicationShutdown {
  private readonly logger = new Logger('messaging');
  private readonly clients = new Map<ServiceName, ClientProxy>();

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  private client(target: ServiceName): ClientProxy {
    let client = this.clients.get(target);
    if (!client) {
      client = ClientProxyFactory.create(clientOptions(this.config, target));
      this.clients.set(target, client);
    }
    return client;
  }

  /**
   * Delivers an event at least once, resolving only when it is safe to forget: on RabbitMQ when the broker
   * confirmed the persistent message, on TCP when the consumer's handler replied (it committed). TCP events
   * are therefore sent as requests, and consumers reply to them.
   */
  async publish(pattern: Pattern, payload: unknown, timeoutMs = 10_000): Promise<void> {
    const client = this.client(CONSUMER_OF[pattern]);
    if (this.config.transport === 'rmq') {
      await lastValueFrom(client.emit(pattern, payload).pipe(timeout(timeoutMs)), { defaultValue: undefined });
    } else {
      await lastValueFrom(client.send(pattern, payload).pipe(timeout(timeoutMs)), { defaultValue: undefined });
    }
  }

  /** Request/reply; rejects with the remote `{ code, message, details }` or a timeout. */
  async request<T>(pattern: Pattern, payload: unknown, timeoutMs = 5_000): Promise<T> {
    return lastValueFrom(this.client(CONSUMER_OF[pattern]).send<T>(pattern, payload).pipe(timeout(timeoutMs)));
  }

  /**
   * Whether each service named can be reached over the transport: the service's own listener (its queue, or its
   * TCP port) and the peers it sends to. Not critical: messages wait in the outbox or the queue.
   */
  healthChecks(peers: ServiceName[]): HealthCheck[] {
    return peers.map((peer) => ({
      name: `transport:${peer}`,
      critical: false,
      check: async () => {
        if (this.config.transport === 'rmq') {
          await this.client(peer).connect();
          return { transport: 'rmq', queue: peer };
        }
        await tcpReachable(this.config.rpcHost, this.config.rpcPorts[peer]);
        return { transport: 'tcp', port: this.config.rpcPorts[peer] };
      },
    }));
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all([...this.clients.values()].map((c) => Promise.resolve(c.close()).catch(() => undefined)));
    this.logger.debug('clients closed');
  }
}

function tcpReachable(host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host, port, timeout: 1000 });
    socket.once('connect', () => (socket.destroy(), resolve()));
    socket.once('timeout', () => (socket.destroy(), reject(new Error(`${host}:${port} did not answer`))));
    socket.once('error', (error) => reject(error));
  });
}
