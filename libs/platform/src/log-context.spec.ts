import { describe, expect, it } from '@jest/globals';
import { about, bindLogContext, currentCorrelationId, logContextFields, saneId, withLogContext } from './log-context.js';

describe('log context', () => {
  it('gives every line of a context its fields, with those bound later in it, and nests without leaking out', async () => {
    expect(logContextFields()).toEqual({});
    await withLogContext({ correlationId: 'req-1', orderId: 'order-1' }, async () => {
      await Promise.resolve();
      expect(logContextFields()).toEqual({ correlationId: 'req-1', orderId: 'order-1' });
      withLogContext({ deliveryId: 'delivery-1' }, () => {
        expect(logContextFields()).toEqual({ correlationId: 'req-1', orderId: 'order-1', deliveryId: 'delivery-1' });
      });
      expect(logContextFields()).toEqual({ correlationId: 'req-1', orderId: 'order-1' });
      bindLogContext({ deliveryId: 'delivery-2' });
      await new Promise((resolve) => setTimeout(resolve, 1));
      expect(logContextFields()).toEqual({ correlationId: 'req-1', orderId: 'order-1', deliveryId: 'delivery-2' });
    });
    expect(logContextFields()).toEqual({});
  });

  it("leaves an HTTP request's id to its request logger, but correlates the work with it", () => {
    withLogContext({ requestId: 'req-9' }, () => {
      expect(logContextFields()).toEqual({});
      expect(currentCorrelationId()).toBe('req-9');
    });
    withLogContext({ requestId: 'req-9', correlationId: 'origin' }, () => expect(currentCorrelationId()).toBe('origin'));
    expect(currentCorrelationId()).toBeUndefined();
  });

  it('drops values that are not plain ids, so a payload cannot put anything it likes on a log line', () => {
    expect(saneId('2cc1749a-f096-4a13-b24c-3d5cfd07b77b')).toBe('2cc1749a-f096-4a13-b24c-3d5cfd07b77b');
    for (const bad of ['', ' x', 'a b', 'a"b', 'x'.repeat(129), 42, { id: 'x' }, null, '\u0000']) expect(saneId(bad)).toBeUndefined();
    withLogContext({ orderId: 'has space', deliveryId: 'ok-1' } as never, () => expect(logContextFields()).toEqual({ deliveryId: 'ok-1' }));
    expect(() => bindLogContext({ orderId: 'outside any context' })).not.toThrow();
  });

  it('puts the ids of a line about one of several on the line itself', () => {
    expect(about({ orderId: 'o', deliveryId: 'd' }, 'offered')).toEqual({ orderId: 'o', deliveryId: 'd', msg: 'offered' });
  });
});
