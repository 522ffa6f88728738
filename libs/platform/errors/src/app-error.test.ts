import { describe, expect, it } from 'vitest';
import { AppError } from './app-error.ts';
import { ERROR_CODES, isErrorCode, isRetryableCode } from './error-codes.ts';
import { toErrorPayload, toJsonRpcError, toToolErrorResult } from './wire.ts';

describe('AppError', () => {
  it('is recognised by its brand, also when created by another module copy', () => {
    const err = new AppError('NOT_FOUND', 'no customer cus_1', { details: { id: 'cus_1' } });
    expect(AppError.is(err)).toBe(true);
    const foreign = Object.assign(new Error('x'), { [Symbol.for('mcpfed.AppError')]: true });
    expect(AppError.is(foreign)).toBe(true);
    expect(AppError.is(new Error('plain'))).toBe(false);
    expect(AppError.is({ code: 'NOT_FOUND' })).toBe(false);
    expect(AppError.is(null)).toBe(false);
  });

  it('derives retryability from the code unless told otherwise', () => {
    expect(new AppError('TIMEOUT', 't').retryable).toBe(true);
    expect(new AppError('UPSTREAM_UNAVAILABLE', 'u').retryable).toBe(true);
    expect(new AppError('RATE_LIMITED', 'r').retryable).toBe(true);
    expect(new AppError('CONFLICT', 'c').retryable).toBe(false);
    expect(new AppError('CONFLICT', 'c', { retryable: true }).retryable).toBe(true);
    expect(ERROR_CODES.filter(isRetryableCode)).toEqual(['RATE_LIMITED', 'UPSTREAM_UNAVAILABLE', 'TIMEOUT']);
  });

  it('keeps the cause for the log', () => {
    const cause = new Error('connect ECONNREFUSED 10.0.0.5:5432');
    expect(new AppError('UPSTREAM_UNAVAILABLE', 'db down', { cause }).cause).toBe(cause);
  });

  it('recognises only the closed codes', () => {
    expect(isErrorCode('CONFLICT')).toBe(true);
    expect(isErrorCode('OOPS')).toBe(false);
    expect(isErrorCode(42)).toBe(false);
  });
});

describe('wire conversion', () => {
  it('turns an AppError into an isError tool result with structured content and the same JSON as text', () => {
    const result = toToolErrorResult(new AppError('CONFLICT', 'version 3 expected, found 4', { details: { current_version: 4 } }));
    expect(result).toEqual({
      isError: true,
      content: [{ type: 'text', text: JSON.stringify(result.structuredContent) }],
      structuredContent: {
        error: { code: 'CONFLICT', message: 'version 3 expected, found 4', retryable: false, details: { current_version: 4 } },
      },
    });
  });

  it('never leaks the message of an unexpected error', () => {
    const payload = toErrorPayload(new Error('relation "customers" does not exist at db.internal:5432'), 'req-1');
    expect(payload.code).toBe('INTERNAL');
    expect(payload.request_id).toBe('req-1');
    expect(payload.message).not.toMatch(/relation|5432|db\.internal/);
    expect(toErrorPayload('a string').code).toBe('INTERNAL');
  });

  it('treats an explicit INTERNAL AppError like any unexpected error', () => {
    const payload = toErrorPayload(new AppError('INTERNAL', 'pool exhausted on host x'), 'req-2');
    expect(payload.message).not.toContain('host x');
  });

  it('maps protocol-level failures to the JSON-RPC codes of docs/architecture.md §4', () => {
    expect(toJsonRpcError(new AppError('NOT_FOUND', 'no such resource')).code).toBe(-32002);
    expect(toJsonRpcError(new AppError('VALIDATION_FAILED', 'bad')).code).toBe(-32602);
    expect(toJsonRpcError(new AppError('TIMEOUT', 'slow')).code).toBe(-32001);
    expect(toJsonRpcError(new AppError('FORBIDDEN', 'needs customer:pii'))).toMatchObject({ code: -32000, data: { code: 'FORBIDDEN' } });
    expect(toJsonRpcError(new Error('boom'), 'r')).toMatchObject({ code: -32603, data: { code: 'INTERNAL', request_id: 'r' } });
  });
});
