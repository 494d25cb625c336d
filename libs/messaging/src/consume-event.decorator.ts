import { MessagePattern } from '@nestjs/microservices';

/**
 * Marks an event consumer. It is a message pattern rather than an event pattern because, over TCP, the
 * publisher waits for the consumer's reply to know the event was handled; over RabbitMQ the same handler is
 * invoked as an event and acknowledged by AckInterceptor.
 */
export const ConsumeEvent = (pattern: string): MethodDecorator => MessagePattern(pattern);
