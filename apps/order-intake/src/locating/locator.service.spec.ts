import { describe, expect, it } from '@jest/globals';
import { TimeoutError, firstValueFrom, NEVER, timeout } from 'rxjs';
import { locateError } from './locator.service.js';

describe('locateError', () => {
  it('says fee did not answer in time when the request timed out', async () => {
    const error = await firstValueFrom(NEVER.pipe(timeout(1))).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect(locateError(error)).toEqual({ code: 'GEOCODE_TIMEOUT', message: expect.stringContaining('did not answer') });
  });

  it('says fee is unreachable on a socket error, keeping its message', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:4002'), { code: 'ECONNREFUSED' });
    expect(locateError(refused)).toEqual({ code: 'FEE_UNREACHABLE', message: 'connect ECONNREFUSED 127.0.0.1:4002' });
  });

  it("keeps fee's own domain error code and message", () => {
    const remote = { code: 'ADDRESS_NOT_FOUND', message: 'no map provider knows this address', details: { attempts: [] } };
    expect(locateError(remote)).toEqual({ code: 'ADDRESS_NOT_FOUND', message: 'no map provider knows this address' });
  });

  it('still records something for an answer it does not understand', () => {
    expect(locateError('boom')).toEqual({ code: 'FEE_UNREACHABLE', message: 'boom' });
  });
});
