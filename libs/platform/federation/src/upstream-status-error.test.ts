import { describe, expect, it } from 'vitest';
import { isTransportFailure, isUpstreamFault, transportFailure } from './upstream-fault.ts';
import { upstreamStatusError } from './upstream-status-error.ts';

const rpcError = (message: string) => JSON.stringify({ jsonrpc: '2.0', id: 1, error: { code: -32602, message } });

describe('upstreamStatusError', () => {
  it('maps each status to the one code every caller of an upstream sees', () => {
    const codes = [401, 403, 429, 408, 504, 400, 413, 415, 422, 404, 409, 500, 502, 503, 405, 406, 202, 302].map((status) => [
      status,
      upstreamStatusError('customer', status, {}, '').code,
    ]);
    expect(Object.fromEntries(codes)).toEqual({
      401: 'UNAUTHENTICATED',
      403: 'FORBIDDEN',
      429: 'RATE_LIMITED',
      408: 'TIMEOUT',
      504: 'TIMEOUT',
      400: 'VALIDATION_FAILED',
      413: 'VALIDATION_FAILED',
      415: 'VALIDATION_FAILED',
      422: 'VALIDATION_FAILED',
      404: 'NOT_FOUND',
      409: 'CONFLICT',
      500: 'UPSTREAM_UNAVAILABLE',
      502: 'UPSTREAM_UNAVAILABLE',
      503: 'UPSTREAM_UNAVAILABLE',
      405: 'INTERNAL',
      406: 'INTERNAL',
      202: 'INTERNAL',
      302: 'INTERNAL',
    });
  });

  it('counts only a 5xx as the upstream fault, and only 429, 408 and 5xx are retryable', () => {
    for (const status of [400, 401, 403, 404, 408, 409, 413, 422, 429, 202])
      expect(isUpstreamFault(upstreamStatusError('customer', status, {}, ''))).toBe(false);
    for (const status of [500, 502, 503, 504]) expect(isUpstreamFault(upstreamStatusError('customer', status, {}, ''))).toBe(true);
    const retryable = [400, 401, 403, 404, 408, 409, 429, 500, 503, 504].filter((status) => upstreamStatusError('customer', status, {}, '').retryable);
    expect(retryable).toEqual([408, 429, 500, 503, 504]);
  });

  it('honours Retry-After in seconds or as a date, and quotes the JSON-RPC error message', () => {
    expect(upstreamStatusError('payment', 429, { 'retry-after': '3' }, '')).toMatchObject({
      code: 'RATE_LIMITED',
      message: 'upstream "payment" is rate limiting; retry later',
      details: { upstream: 'payment', status: 429, retry_after_ms: 3000 },
    });
    const later = upstreamStatusError('payment', 503, { 'retry-after': new Date(Date.now() + 60_000).toUTCString() }, '');
    expect(later.details?.['retry_after_ms']).toBeGreaterThan(55_000);
    expect(upstreamStatusError('payment', 503, { 'retry-after': 'soon' }, '').details).toEqual({ upstream: 'payment', status: 503 });
    expect(upstreamStatusError('payment', 400, {}, rpcError('Invalid params: amount')).message).toBe(
      'upstream "payment" refused the request as invalid: Invalid params: amount',
    );
    expect(upstreamStatusError('payment', 500, {}, '<html>boom</html>').message).toBe('upstream "payment" answered HTTP 500');
  });
});

describe('transportFailure', () => {
  it('is a retryable UPSTREAM_UNAVAILABLE, a transport failure and an upstream fault, without the address in its message', () => {
    const cause = Object.assign(new Error('connect ECONNREFUSED 10.1.2.3:8081'), { code: 'ECONNREFUSED' });
    const failure = transportFailure('product', cause);
    expect(failure).toMatchObject({
      code: 'UPSTREAM_UNAVAILABLE',
      retryable: true,
      message: 'upstream "product" could not be reached',
      details: { upstream: 'product' },
      cause,
    });
    expect([isTransportFailure(failure), isUpstreamFault(failure)]).toEqual([true, true]);
    expect(isTransportFailure(upstreamStatusError('product', 500, {}, ''))).toBe(false);
  });
});
