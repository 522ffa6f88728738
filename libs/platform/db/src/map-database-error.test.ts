import { AppError } from '@mcpfed/errors';
import { describe, expect, it } from 'vitest';
import { isConnectionError, mapDatabaseError } from './map-database-error.ts';

function driverError(code: string, message = 'driver text with host db.internal', extra: Record<string, unknown> = {}): Error {
  return Object.assign(new Error(message), { code, ...extra });
}

describe('mapDatabaseError', () => {
  it('passes an AppError through unchanged', () => {
    const error = new AppError('NOT_FOUND', 'no customer');
    expect(mapDatabaseError(error)).toBe(error);
  });

  it.each([
    ['57014', 'TIMEOUT', true],
    ['23505', 'CONFLICT', false],
    ['40001', 'CONFLICT', true],
    ['40P01', 'CONFLICT', true],
    ['23514', 'PRECONDITION_FAILED', false],
    ['25006', 'FORBIDDEN', false],
    ['08006', 'UPSTREAM_UNAVAILABLE', true],
    ['57P01', 'UPSTREAM_UNAVAILABLE', true],
    ['53300', 'UPSTREAM_UNAVAILABLE', true],
    ['28P01', 'UPSTREAM_UNAVAILABLE', true],
    ['ECONNREFUSED', 'UPSTREAM_UNAVAILABLE', true],
    ['ECONNRESET', 'UPSTREAM_UNAVAILABLE', true],
    ['ENOTFOUND', 'UPSTREAM_UNAVAILABLE', true],
  ])('maps %s to %s (retryable %s), keeping the driver error as cause only', (code, expected, retryable) => {
    const cause = driverError(code);
    const mapped = mapDatabaseError(cause) as AppError;
    expect(mapped).toMatchObject({ code: expected, retryable });
    expect(mapped.cause).toBe(cause);
    expect(mapped.message).not.toContain('db.internal');
  });

  it('recognises pg connection failures that carry no code', () => {
    expect(isConnectionError(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(isConnectionError(new Error('timeout exceeded when trying to connect'))).toBe(true);
    expect(isConnectionError(new Error('column "x" does not exist'))).toBe(false);
  });

  it('returns anything else unchanged', () => {
    const error = driverError('42P01');
    expect(mapDatabaseError(error)).toBe(error);
    expect(mapDatabaseError('text')).toBe('text');
    expect(mapDatabaseError(null)).toBe(null);
  });
});
