import { Transport, type ClientOptions, type MicroserviceOptions } from '@nestjs/microservices';
import type { AppConfig, ServiceName } from '#config';

/**
 * Each service has one durable queue named after it. Messages that fail for good (a payload that does not
 * validate) are dead-lettered to `<service>.dead` instead of being dropped or redelivered forever.
 */
export function queueOptions(config: AppConfig, service: ServiceName) {
  return {
    durable: true,
    arguments: { 'x-dead-letter-exchange': '', 'x-dead-letter-routing-key': deadLetterQueue(config, service) },
  };
}

export const queueName = (config: AppConfig, service: ServiceName) => `${config.queuePrefix}${service}`;
export const deadLetterQueue = (config: AppConfig, service: ServiceName) => `${queueName(config, service)}.dead`;

/** How a service listens for messages: TCP on loopback, or its RabbitMQ queue with manual acks. */
export function serverOptions(config: AppConfig, service: ServiceName): MicroserviceOptions {
  if (config.transport === 'rmq') {
    return {
      transport: Transport.RMQ,
      options: {
        urls: [config.rabbitmqUrl!],
        queue: queueName(config, service),
        queueOptions: queueOptions(config, service),
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
      options: {
        urls: [config.rabbitmqUrl!],
        queue: queueName(config, target),
        queueOptions: queueOptions(config, target),
        persistent: true,
      },
    };
  }
  return { transport: Transport.TCP, options: { host: config.rpcHost, port: config.rpcPorts[target] } };
}

/**
 * Declares the service's dead-letter queue. RabbitMQ drops a dead-lettered message whose target queue does not
 * exist, so it must be there before the first message can fail.
 */
export async function declareDeadLetterQueue(config: AppConfig, service: ServiceName): Promise<void> {
  if (config.transport !== 'rmq') return;
  const amqp = await import('amqplib');
  const connection = await amqp.connect(config.rabbitmqUrl!);
  try {
    const channel = await connection.createChannel();
    await channel.assertQueue(deadLetterQueue(config, service), { durable: true });
    await channel.close();
  } finally {
    await connection.close();
  }
}
