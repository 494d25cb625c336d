import 'reflect-metadata';
import { describe, expect, it } from '@jest/globals';
import { validateOrderRequest } from './create-order.request.js';
import { isKoreanPhone } from './field-rules.js';

const valid = {
  externalOrderId: 'A-1',
  dropoff: { address: '서울 종로구 세종대로 172', lng: 126.9769, lat: 37.5759 },
  items: [{ name: '칼국수', quantity: 1, unitPrice: 9000 }],
  orderAmount: 9000,
};

describe('validateOrderRequest', () => {
  it('accepts a minimal order and drops unknown fields', () => {
    const sut = validateOrderRequest({ ...valid, coupon: 'FREE' });
    expect(sut.ok).toBe(true);
    expect(sut.ok && 'coupon' in sut.value).toBe(false);
  });

  it('names a longitude given without latitude, once', () => {
    const sut = validateOrderRequest({ ...valid, dropoff: { address: 'x', lng: 126.9 } });
    expect(sut).toEqual({ ok: false, errors: [{ field: 'dropoff.lat', value: undefined, reason: 'is required together with dropoff.lng' }] });
  });

  it('accepts an address without coordinates (the order will be located)', () => {
    const sut = validateOrderRequest({ ...valid, dropoff: { address: '서울 종로구 세종대로 172' } });
    expect(sut.ok).toBe(true);
  });

  it('treats null coordinates as absent', () => {
    expect(validateOrderRequest({ ...valid, dropoff: { address: 'x', lng: null, lat: null } }).ok).toBe(true);
    const sut = validateOrderRequest({ ...valid, dropoff: { address: 'x', lng: 126.9, lat: null } });
    expect(sut.ok ? [] : sut.errors.map((e) => e.field)).toEqual(['dropoff.lat']);
  });

  it('says "must be a number" for a coordinate given as a string', () => {
    const sut = validateOrderRequest({ ...valid, dropoff: { address: 'x', lng: '126.9', lat: 37.5 } });
    expect(sut).toEqual({ ok: false, errors: [{ field: 'dropoff.lng', value: '126.9', reason: 'must be a number' }] });
  });

  it.each([
    ['a dropoff given as a list', { dropoff: [] }, 'dropoff'],
    ['a dropoff given as a list of dropoffs', { dropoff: [valid.dropoff] }, 'dropoff'],
    ['a customer given as a list', { customer: [{ phone: '010-1234-5678' }] }, 'customer'],
    ['an item given as a list', { items: [[]] }, 'items[0]'],
    ['an item given as a list of items', { items: [valid.items] }, 'items[0]'],
  ])('refuses %s: a list is not an object, and its entries are not looked into', (_, change, field) => {
    expect(validateOrderRequest({ ...valid, ...change })).toEqual({ ok: false, errors: [{ field, value: expect.any(Array), reason: 'must be an object' }] });
  });

  it('says a dropoff that is a string is not an object, once', () => {
    expect(validateOrderRequest({ ...valid, dropoff: 'x' })).toEqual({ ok: false, errors: [{ field: 'dropoff', value: 'x', reason: 'must be an object' }] });
  });

  it('says an item that is not an object is not one', () => {
    const sut = validateOrderRequest({ ...valid, items: ['칼국수'] });
    expect(sut).toMatchObject({ ok: false, errors: [{ field: 'items[0]', value: '칼국수', reason: 'must be an object' }] });
  });
});

describe('isKoreanPhone', () => {
  it.each(['010-1234-5678', '01012345678', '02-123-4567', '0504-1234-5678', '+82-10-1234-5678', '+821012345678'])('accepts %s', (phone) => {
    expect(isKoreanPhone(phone)).toBe(true);
  });

  it.each(['12345', '010-1234-5678-9012', '010--1234-5678', '010-1234-', '1012345678', '010 1234 5678', '+1-202-555-0100', 12345678901])(
    'refuses %s',
    (phone) => {
      expect(isKoreanPhone(phone)).toBe(false);
    },
  );
});
