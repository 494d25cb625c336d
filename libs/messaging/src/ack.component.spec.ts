import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Controller, Global, Module, type INestApplication } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { randomBytes, randomUUID } from 'node:crypto';
import { APP_CONFIG, type AppConfig } from '#config';
import { OrderCreatedEvent, PATTERNS } from '#contracts';
import { PlatformModule, startService } from '#platform';
import { testConfig } from '../../../test/support/config.js';
import { eventually } from '../../../test/support/eventually.js';
import { ConsumeEvent } from './consume-event.decorator.js';
import { Messaging } from './messaging.js';
import { deadLetterQueue, queueName } from './transport.js';

const handled: string[] = [];
const failOnce = new Set<string>();

@Controller()
class OrdersConsumer {
  @ConsumeEvent(PATTERNS.ORDER_CREATED)
  async consume(@Payload() event: OrderCreatedEvent): Promise<{ ok: true }> {
    if (failOnce.delete(event.orderId)) throw new Error('database briefly unavailable');
    handled.push(event.orderId);
    return { ok: true };
  }
}

const rabbit = process.env.RABBITMQ_URL;
if (!rabbit) console.warn('\n*** RABBITMQ_URL is not set: acknowledgement over RabbitMQ is SKIPPED ***\n');

/** Manual acks on a real RabbitMQ: a message leaves the queue only once its handler finished. */
(rabbit ? describe : describe.skip)('acknowledgement over RabbitMQ', () => {
  let config: AppConfig;
  let app: INestApplication;
  let publisher: Messaging;

  const event = (orderId = randomUUID()) => ({
    eventId: randomUUID(),
    occurredAt: new Date().toISOString(),
    orderId,
    agencyId: randomUUID(),
    restaurantId: randomUUID(),
    restaurantName: '테스트',
    externalOrderId: 'pos-1',
    pickup: { lng: 126.978, lat: 37.5665, address: '서울 중구 세종대로 110' },
    dropoff: { lng: 126.9769, lat: 37.5759, address: '서울 종로구 세종대로 172' },
    orderAmount: 9000,
  });

  const depth = async (queue: string): Promise<number> => {
    const amqp = await import('amqplib');
    const connection = await amqp.connect(rabbit!);
    try {
      const channel = await connection.createChannel();
      return (await channel.checkQueue(queue)).messageCount;
    } finally {
      await connection.close();
    }
  };

  const startConsumer = async () => {
    // Global, as each service's module is: the platform's providers read the configuration.
    @Global()
    @Module({ imports: [PlatformModule], controllers: [OrdersConsumer], providers: [{ provide: APP_CONFIG, useValue: config }], exports: [APP_CONFIG] })
    class ConsumerModule {}
    app = await startService({ service: 'dispatch', module: { module: ConsumerModule }, config });
  };

  beforeAll(async () => {
    config = await testConfig({ TRANSPORT: 'rmq', RABBITMQ_URL: rabbit!, RMQ_QUEUE_PREFIX: `ack_${randomBytes(4).toString('hex')}_` });
    await startConsumer();
    publisher = new Messaging(config);
  });

  afterAll(async () => {
    await publisher?.onApplicationShutdown();
    await app?.close();
    const amqp = await import('amqplib');
    const connection = await amqp.connect(rabbit!);
    const channel = await connection.createChannel();
    await channel.deleteQueue(queueName(config, 'dispatch'));
    await channel.deleteQueue(deadLetterQueue(config, 'dispatch'));
    await connection.close();
  });

  it('acknowledges a message once handled, leaving nothing in the queue', async () => {
    const e = event();
    await publisher.publish(PATTERNS.ORDER_CREATED, e);
    await eventually(async () => (handled.includes(e.orderId) ? true : undefined), 'the event to be handled');
    // An unacknowledged message would return to the queue when its consumer goes away.
    await app.close();
    expect(await depth(queueName(config, 'dispatch'))).toBe(0);
    await startConsumer();
    expect(handled.filter((id) => id === e.orderId)).toHaveLength(1);
  });

  it('requeues a message whose handler failed, and handles it again', async () => {
    const e = event();
    failOnce.add(e.orderId);
    await publisher.publish(PATTERNS.ORDER_CREATED, e);
    await eventually(async () => (handled.includes(e.orderId) ? true : undefined), 'the event handled on redelivery');
    expect(failOnce.has(e.orderId)).toBe(false);
  });

  /** Puts raw bytes on the consumer's queue, as a broken or hostile publisher could. */
  const sendRaw = async (content: Buffer) => {
    const amqp = await import('amqplib');
    const connection = await amqp.connect(rabbit!);
    try {
      const channel = await connection.createConfirmChannel();
      channel.sendToQueue(queueName(config, 'dispatch'), content, { persistent: true });
      await channel.waitForConfirms();
    } finally {
      await connection.close();
    }
  };

  it.each([
    ['nested 10,000 levels deep', () => Buffer.from(`{"pattern":"${PATTERNS.ORDER_CREATED}","data":${'['.repeat(10_000)}${']'.repeat(10_000)}}`)],
    ['with a lone surrogate', () => Buffer.from(JSON.stringify({ pattern: PATTERNS.ORDER_CREATED, data: { ...event(), restaurantName: '김밥\ud800' } }))],
    ['with NUL', () => Buffer.from(JSON.stringify({ pattern: PATTERNS.ORDER_CREATED, data: { ...event(), restaurantName: '김밥\u0000' } }))],
    ['that is not JSON at all', () => Buffer.from([0xff, 0x7b, 0x00])],
  ])('dead-letters a message %s, and goes on consuming', async (_, content) => {
    const before = await depth(deadLetterQueue(config, 'dispatch'));
    await sendRaw(content());
    await eventually(async () => ((await depth(deadLetterQueue(config, 'dispatch'))) === before + 1 ? true : undefined), 'a dead letter');
    const next = event();
    await publisher.publish(PATTERNS.ORDER_CREATED, next);
    await eventually(async () => (handled.includes(next.orderId) ? true : undefined), 'the next event handled');
    expect(await depth(queueName(config, 'dispatch'))).toBe(0);
  });

  it('dead-letters a message that can never be valid instead of dropping or looping on it', async () => {
    const before = await depth(deadLetterQueue(config, 'dispatch'));
    await publisher.publish(PATTERNS.ORDER_CREATED, { ...event(), pickup: { lng: 37.5, lat: 126.9, address: 'swapped' } });
    await eventually(async () => ((await depth(deadLetterQueue(config, 'dispatch'))) === before + 1 ? true : undefined), 'a dead letter');
    expect(await depth(queueName(config, 'dispatch'))).toBe(0);
  });
});
