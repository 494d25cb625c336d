import { describe, expect, it } from '@jest/globals';
import { checkReportedAt } from './reported-at.js';

const now = new Date('2026-12-06T03:00:00.000Z');
const assigned = { id: 'd1', assignedAt: new Date('2026-12-06T02:30:00.000Z'), pickedUpAt: null };

describe('checkReportedAt', () => {
  it('takes a time between the last step and a few seconds ahead of the server', () => {
    expect(() => checkReportedAt(assigned, new Date('2026-12-06T02:45:00.000Z'), now, 10)).not.toThrow();
    expect(() => checkReportedAt(assigned, new Date('2026-12-06T03:00:09.000Z'), now, 10)).not.toThrow();
    expect(() => checkReportedAt(assigned, assigned.assignedAt, now, 10)).not.toThrow();
  });

  it('refuses a time further ahead than the skew allows, saying the server time', () => {
    expect(() => checkReportedAt(assigned, new Date('2026-12-06T03:00:11.000Z'), now, 10)).toThrow(
      expect.objectContaining({ code: 'REPORTED_AT_REFUSED', details: { at: '2026-12-06T03:00:11.000Z', serverTime: now.toISOString(), maxSkewSeconds: 10 } }),
    );
  });

  it('refuses a time before the assignment, or before the pickup once picked up', () => {
    expect(() => checkReportedAt(assigned, new Date('2026-12-06T02:29:59.000Z'), now, 10)).toThrow(
      expect.objectContaining({ code: 'REPORTED_AT_REFUSED', details: { at: '2026-12-06T02:29:59.000Z', notBefore: '2026-12-06T02:30:00.000Z' } }),
    );
    const pickedUp = { ...assigned, pickedUpAt: new Date('2026-12-06T02:40:00.000Z') };
    expect(() => checkReportedAt(pickedUp, new Date('2026-12-06T02:35:00.000Z'), now, 10)).toThrow(expect.objectContaining({ message: expect.stringContaining('picked up') }));
  });
});
