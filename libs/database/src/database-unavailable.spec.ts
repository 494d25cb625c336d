import { describe, expect, it } from '@jest/globals';
import { QueryFailedError } from 'typeorm';
import { isDatabaseUnavailable } from './database-unavailable.js';

const withCode = (code: string, message = 'failed') => Object.assign(new Error(message), { code });
const socketError = (code: string, syscall: string) => Object.assign(new Error(`${syscall} ${code}`), { code, syscall });

describe('isDatabaseUnavailable', () => {
  it.each([
    ['a refused connection', socketError('ECONNREFUSED', 'connect')],
    ['a reset connection', socketError('ECONNRESET', 'read')],
    ['an administrator shutting the server down', withCode('57P01', 'terminating connection due to administrator command')],
    ['a server crash', withCode('57P02')],
    ['a server starting up', withCode('57P03', 'the database system is starting up')],
    ['no connection slot left', withCode('53300', 'sorry, too many clients already')],
    ['a connection exception', withCode('08006')],
    ['a statement cancelled at its timeout', withCode('57014', 'canceling statement due to statement timeout')],
    ['a statement a dead connection never answered', new Error('Query read timeout')],
    ['a connection that died', new Error('Connection terminated unexpectedly')],
    ['the pool giving up on connecting', new Error('timeout exceeded when trying to connect')],
    ['a client that lost its connection', new Error('Client has encountered a connection error and is not queryable')],
    ['TypeORM wrapping one', new QueryFailedError('SELECT 1', [], withCode('57P01'))],
    ['every address refusing', new AggregateError([socketError('ECONNREFUSED', 'connect'), socketError('ECONNREFUSED', 'connect')])],
  ])('is true for %s', (_, error) => {
    expect(isDatabaseUnavailable(error)).toBe(true);
  });

  it.each([
    ['a unique violation', withCode('23505', 'duplicate key value violates unique constraint')],
    ['a syntax error', new QueryFailedError('SELEC 1', [], withCode('42601'))],
    ['a serialization failure', withCode('40001')],
    ['a plain error', new Error('something else')],
    ['an HTTP client going away', withCode('ECONNRESET', 'aborted')],
    ['another service down, as fetch reports it', new TypeError('fetch failed', { cause: socketError('ECONNREFUSED', 'connect') })],
    ['not an error', 'ECONNREFUSED'],
    ['nothing', undefined],
  ])('is false for %s', (_, error) => {
    expect(isDatabaseUnavailable(error)).toBe(false);
  });
});
