import { describe, expect, it } from '@jest/globals';
import { maskedPhone, paymentView } from './delivery.views.js';

describe("the board's view of a customer", () => {
  it.each([
    ['010-1234-5678', '010-****-5678'],
    ['01012345678', '010-****-5678'],
    ['02-123-4567', '02-****-4567'],
    ['+82-10-1234-5678', '010-****-5678'],
    ['031-123-4567', '031-****-4567'],
  ])('masks %s as %s', (phone, masked) => {
    expect(maskedPhone(phone)).toBe(masked);
  });

  it('says nothing of a phone the order did not give', () => {
    expect(maskedPhone(null)).toBeNull();
  });

  it('shows what the rider collects, 0 when prepaid, and null when the order did not say', () => {
    expect(paymentView({ paymentMethod: 'cash', paymentCollectAmount: 21000 })).toEqual({ method: 'cash', collectAmount: 21000 });
    expect(paymentView({ paymentMethod: 'prepaid', paymentCollectAmount: 0 })).toEqual({ method: 'prepaid', collectAmount: 0 });
    expect(paymentView({ paymentMethod: null, paymentCollectAmount: null })).toBeNull();
  });
});
