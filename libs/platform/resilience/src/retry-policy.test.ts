import { AppError } from '@mcpfed/errors';
import { describe, expect, it } from 'vitest';
import { createRetryPolicy } from './retry-policy.ts';

const fast = { initialDelayMs: 1, maxDelayMs: 5 };

describe('createRetryPolicy', () => {
  it('stops after maxAttempts attempts of a retryable failure and rejects with the last error', async () => {
    const policy = createRetryPolicy({ ...fast, maxAttempts: 3 });
    let calls = 0;
    const failure = new AppError('UPSTREAM_UNAVAILABLE', 'down');
    await expect(
      policy.execute(async () => {
        calls++;
        throw failure;
      }),
    ).rejects.toBe(failure);
    expect(calls).toBe(3);
  });

  it('tries a non-retryable AppError exactly once', async () => {
    const policy = createRetryPolicy({ ...fast, maxAttempts: 5 });
    let calls = 0;
    await expect(
      policy.execute(async () => {
        calls++;
        throw new AppError('VALIDATION_FAILED', 'bad input');
      }),
    ).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    expect(calls).toBe(1);
  });

  it('tries an unexpected error exactly once', async () => {
    const policy = createRetryPolicy(fast);
    let calls = 0;
    await expect(
      policy.execute(async () => {
        calls++;
        throw new Error('bug');
      }),
    ).rejects.toThrow('bug');
    expect(calls).toBe(1);
  });

  it('returns the first success after transient failures', async () => {
    const policy = createRetryPolicy({ ...fast, maxAttempts: 3 });
    let calls = 0;
    const value = await policy.execute(async () => {
      calls++;
      if (calls < 3) throw Object.assign(new Error('connect ECONNRESET'), { code: 'ECONNRESET' });
      return 'ok';
    });
    expect(value).toBe('ok');
    expect(calls).toBe(3);
  });

  it('never retries with maxAttempts 1 and honours a custom predicate', async () => {
    let calls = 0;
    const once = createRetryPolicy({ ...fast, maxAttempts: 1 });
    await expect(
      once.execute(async () => {
        calls++;
        throw new AppError('TIMEOUT', 't');
      }),
    ).rejects.toMatchObject({ code: 'TIMEOUT' });
    expect(calls).toBe(1);

    calls = 0;
    const onlyConflicts = createRetryPolicy({ ...fast, maxAttempts: 4, shouldRetry: (e) => AppError.is(e) && e.code === 'CONFLICT' });
    await expect(
      onlyConflicts.execute(async () => {
        calls++;
        throw new AppError('CONFLICT', 'c');
      }),
    ).rejects.toMatchObject({ code: 'CONFLICT' });
    expect(calls).toBe(4);
  });

  it('caps every backoff delay at maxDelayMs', async () => {
    // Uncapped, an initial delay of 1000 ms would wait hundreds of milliseconds between attempts.
    const policy = createRetryPolicy({ maxAttempts: 4, initialDelayMs: 1000, maxDelayMs: 10 });
    const times: number[] = [];
    await expect(
      policy.execute(async () => {
        times.push(performance.now());
        throw new AppError('TIMEOUT', 't');
      }),
    ).rejects.toMatchObject({ code: 'TIMEOUT' });
    expect(times).toHaveLength(4);
    for (let i = 1; i < times.length; i++) {
      expect((times[i] ?? 0) - (times[i - 1] ?? 0)).toBeLessThan(200);
    }
  });

  it('rejects invalid options', () => {
    expect(() => createRetryPolicy({ maxAttempts: 0 })).toThrow(RangeError);
    expect(() => createRetryPolicy({ maxAttempts: 2.5 })).toThrow(RangeError);
    expect(() => createRetryPolicy({ initialDelayMs: -1 })).toThrow(RangeError);
  });
});
