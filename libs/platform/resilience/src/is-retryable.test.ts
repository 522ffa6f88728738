import { AppError } from '@mcpfed/errors';
import { BrokenCircuitError, BulkheadRejectedError, TaskCancelledError } from 'cockatiel';
import { describe, expect, it } from 'vitest';
import { isNetworkError, isRetryable, isUpstreamFailure } from './is-retryable.ts';
import { toAppError } from './to-app-error.ts';
import { AttemptTimeoutError, CircuitOpenError } from './policy-errors.ts';

function sysError(code: string, message = `connect ${code} 10.1.2.3:5432`): Error {
  return Object.assign(new Error(message), { code, address: '10.1.2.3', port: 5432 });
}

describe('isRetryable', () => {
  it('follows the retryable flag of an AppError', () => {
    expect(isRetryable(new AppError('UPSTREAM_UNAVAILABLE', 'u'))).toBe(true);
    expect(isRetryable(new AppError('TIMEOUT', 't'))).toBe(true);
    expect(isRetryable(new AppError('RATE_LIMITED', 'r'))).toBe(true);
    expect(isRetryable(new AppError('NOT_FOUND', 'n'))).toBe(false);
    expect(isRetryable(new AppError('VALIDATION_FAILED', 'v'))).toBe(false);
    expect(isRetryable(new AppError('CONFLICT', 'c', { retryable: true }))).toBe(true);
    expect(isRetryable(new AppError('TIMEOUT', 't', { retryable: false }))).toBe(false);
  });

  it("treats cockatiel's policy rejections as transient", () => {
    expect(isRetryable(new TaskCancelledError())).toBe(true);
    expect(isRetryable(new BrokenCircuitError())).toBe(true);
    expect(isRetryable(new BulkheadRejectedError(1, 0))).toBe(true);
  });

  it('treats socket, undici and fetch failures as transient, also when wrapped', () => {
    for (const code of ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT']) {
      expect(isRetryable(sysError(code)), code).toBe(true);
    }
    const fetchFailed = new TypeError('fetch failed', { cause: sysError('ECONNREFUSED') });
    expect(isNetworkError(fetchFailed)).toBe(true);
    expect(isNetworkError(new TypeError('fetch failed'))).toBe(true);
    expect(isNetworkError(new Error('wrapped', { cause: sysError('ECONNRESET') }))).toBe(true);
    expect(isNetworkError(new AggregateError([sysError('ECONNREFUSED'), sysError('ECONNREFUSED')]))).toBe(true);
  });

  it('rejects everything else', () => {
    expect(isRetryable(new Error('boom'))).toBe(false);
    expect(isRetryable(new TypeError('x is not a function'))).toBe(false);
    expect(isRetryable(sysError('UND_ERR_INVALID_ARG', 'invalid arg'))).toBe(false);
    expect(isRetryable(sysError('23505', 'duplicate key value violates unique constraint'))).toBe(false);
    expect(isRetryable('ECONNREFUSED')).toBe(false);
    expect(isRetryable(undefined)).toBe(false);
    const cyclic = new Error('a');
    cyclic.cause = cyclic;
    expect(isRetryable(cyclic)).toBe(false);
  });

  it('does not count local protection or business answers as upstream failures', () => {
    expect(isUpstreamFailure(new TaskCancelledError())).toBe(true);
    expect(isUpstreamFailure(sysError('ECONNREFUSED'))).toBe(true);
    expect(isUpstreamFailure(new AppError('UPSTREAM_UNAVAILABLE', 'u'))).toBe(true);
    expect(isUpstreamFailure(new BulkheadRejectedError(1, 0))).toBe(false);
    expect(isUpstreamFailure(new BrokenCircuitError())).toBe(false);
    expect(isUpstreamFailure(new AppError('NOT_FOUND', 'n'))).toBe(false);
  });

  it('counts only the codes of an unhealthy upstream: a retryable answer about one key or one caller is not one', () => {
    expect(isUpstreamFailure(new AppError('TIMEOUT', 't'))).toBe(true);
    // The payment server's "an earlier call with this key is still in progress" after a crash mid-call.
    expect(isUpstreamFailure(new AppError('CONFLICT', 'in progress', { retryable: true }))).toBe(false);
    expect(isUpstreamFailure(new AppError('RATE_LIMITED', 'slow down'))).toBe(false);
    expect(isRetryable(new AppError('CONFLICT', 'in progress', { retryable: true }))).toBe(true);
  });
});

describe('toAppError', () => {
  it('converts a timeout to TIMEOUT', () => {
    const cause = new AttemptTimeoutError(250, new TaskCancelledError());
    const error = toAppError(cause, 'customer');
    expect(AppError.is(error)).toBe(true);
    expect(error).toMatchObject({ code: 'TIMEOUT', retryable: true, details: { upstream: 'customer', timeout_ms: 250 }, cause });
    expect((error as AppError).message).toBe('upstream "customer" did not answer within 250 ms');
    expect(toAppError(new TaskCancelledError(), 'customer')).toMatchObject({ code: 'TIMEOUT', details: { upstream: 'customer' } });
  });

  it('converts an open breaker to UPSTREAM_UNAVAILABLE with retry_after_ms', () => {
    expect(toAppError(new CircuitOpenError(1200), 'payment')).toMatchObject({
      code: 'UPSTREAM_UNAVAILABLE',
      retryable: true,
      message: 'upstream "payment" is temporarily unavailable (circuit open); retry in 1200 ms',
      details: { upstream: 'payment', retry_after_ms: 1200 },
    });
    expect((toAppError(new BrokenCircuitError(), 'payment') as AppError).details).toEqual({ upstream: 'payment' });
  });

  it('converts a bulkhead rejection to UPSTREAM_UNAVAILABLE', () => {
    expect(toAppError(new BulkheadRejectedError(4, 0), 'order')).toMatchObject({
      code: 'UPSTREAM_UNAVAILABLE',
      message: 'upstream "order" is busy: concurrency limit reached',
      details: { upstream: 'order' },
    });
  });

  it('converts a network error without leaking host or port, keeping the original as cause', () => {
    const cause = new TypeError('fetch failed', { cause: sysError('ECONNREFUSED') });
    const error = toAppError(cause, 'product') as AppError;
    expect(error.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(error.message).toBe('upstream "product" could not be reached');
    expect(error.message).not.toMatch(/10\.1\.2\.3|5432|ECONNREFUSED/);
    expect(error.cause).toBe(cause);
    expect((toAppError(sysError('ECONNRESET')) as AppError).message).toBe('the upstream could not be reached');
  });

  it('passes AppErrors and unexpected errors through unchanged', () => {
    const notFound = new AppError('NOT_FOUND', 'no customer');
    expect(toAppError(notFound, 'customer')).toBe(notFound);
    const bug = new RangeError('bad index');
    expect(toAppError(bug, 'customer')).toBe(bug);
    expect(toAppError('text', 'customer')).toBe('text');
  });
});
