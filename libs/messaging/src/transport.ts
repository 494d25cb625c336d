import { Transport, type ClientOptions, type MicroserviceOptions } from '@nestjs/microservices';
import type { AppConfig, ServiceName } from '#config';

/**
 * Each service has one durable queue named after it. Messages that fail for good (a payload that does not
 * validate) are dead-lettered to `<service>.dead` instead of being dropped or redelivered forever.
 */
export function queueOptions(service: ServiceName) {
  return {
    durable: true,
    arguments: { 'x-dead-letter-exchange': '', 'x-dead-letter-routing-key': deadLetterQueue(service) },
  };
}

export const deadLetterQueue = (service: ServiceName) => `${service}.dead`;

/** How a service listens for messages: TCP on loopback, or its RabbitMQ queue with manual acks. */
export function serverOptions(config: AppConfig, service: ServiceName): MicroserviceOptions {
  if (config.transport === 'rmq') {
    return {
      transport: Transport.RMQ,
      options: {
        urls: [config.rabbitmqUrl!],
        queue: service,
        queueOptions: queueOptions(service),
        // Acknowledged by AckInterceptor only after the handler's transaction commits.
        noAck: false,
        prefetchCount: 16,
      },
    };
  }
  return { transport: Transport.TCP, options: { host: config.rpcHost, port: config.rpcPorts[service] } };
}

/** How a service reaches another: its TCP server, or its queue with persistent messages. */
export function clientOptions(config: AppConfig, target: ServiceName): ClientOptions {
  if (config.transport === 'rmq') {
    return {
      transport: Transport.RMQ,
      options: { urls: [config.rabbitmqUrl!], queue: target, queueOptions: queueOptions(target), persistent: true },
    };
  }
  return { transport: Transport.TCP, options: { host: config.rpcHost, port: config.rpcPorts[target] } };
}
