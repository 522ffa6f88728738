import { AppError } from '@mcpfed/errors';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import type { BreakerState } from './circuit-breaker.ts';
import { createUpstreamPolicy } from './upstream-policy.ts';

const fastRetry = { maxAttempts: 3, initialDelayMs: 1, maxDelayMs: 5 };

function refused(): Error {
  return Object.assign(new Error('connect ECONNREFUSED 10.9.8.7:8081'), { code: 'ECONNREFUSED' });
}

async function rejection(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (e: unknown) => e,
  );
  expect(AppError.is(error)).toBe(true);
  return error as AppError;
}

describe('createUpstreamPolicy', () => {
  it('retries a network failure up to maxAttempts and rejects with UPSTREAM_UNAVAILABLE without the host', async () => {
    const policy = createUpstreamPolicy({ name: 'customer', retry: fastRetry });
    let calls = 0;
    const cause = refused();
    const error = await rejection(
      policy.execute(async () => {
        calls++;
        throw cause;
      }),
    );
    expect(calls).toBe(3);
    expect(error.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(error.message).toBe('upstream "customer" could not be reached');
    expect(error.cause).toBe(cause);
    expect(policy.breakerState).toBe('closed');
  });

  it('tries a non-retryable AppError once and rejects with it unchanged', async () => {
    const policy = createUpstreamPolicy({ name: 'customer', retry: fastRetry });
    let calls = 0;
    const notFound = new AppError('NOT_FOUND', 'no customer cus_1');
    await expect(
      policy.execute(async () => {
        calls++;
        throw notFound;
      }),
    ).rejects.toBe(notFound);
    expect(calls).toBe(1);
  });

  it('returns the result and passes a live signal to the work', async () => {
    const policy = createUpstreamPolicy({ name: 'product' });
    const value = await policy.execute(async (signal) => ({ aborted: signal.aborted }));
    expect(value).toEqual({ aborted: false });
  });

  it('times out a hung attempt with TIMEOUT, aborting its signal', async () => {
    const policy = createUpstreamPolicy({ name: 'payment', timeoutMs: 20, retry: false });
    const signals: AbortSignal[] = [];
    const error = await rejection(
      policy.execute((signal) => {
        signals.push(signal);
        return new Promise<never>(() => {});
      }),
    );
    expect(error.code).toBe('TIMEOUT');
    expect(error.details).toEqual({ upstream: 'payment', timeout_ms: 20 });
    expect(signals).toHaveLength(1);
    expect(signals[0]?.aborted).toBe(true);
  });

  it('opens the breaker after N transient failures, rejects fast, then half-opens and closes on success', async () => {
    const policy = createUpstreamPolicy({ name: 'order', retry: false, breaker: { consecutiveFailures: 3, halfOpenAfterMs: 40 } });
    const states: BreakerState[] = [];
    policy.onBreakerStateChange((s) => states.push(s));
    let calls = 0;
    const failing = async (): Promise<never> => {
      calls++;
      throw refused();
    };
    for (let i = 0; i < 3; i++) expect((await rejection(policy.execute(failing))).code).toBe('UPSTREAM_UNAVAILABLE');
    expect(policy.breakerState).toBe('open');

    const fast = await rejection(policy.execute(failing));
    expect(calls).toBe(3);
    expect(fast.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(fast.retryable).toBe(true);
    expect(fast.details?.['upstream']).toBe('order');
    expect(fast.details?.['retry_after_ms']).toBeGreaterThan(0);
    expect(fast.details?.['retry_after_ms']).toBeLessThanOrEqual(40);

    await sleep(50);
    expect(await policy.execute(async () => 'back')).toBe('back');
    expect(policy.breakerState).toBe('closed');
    expect(states).toEqual(['open', 'half-open', 'closed']);
  });

  it('stops retrying once its own failures open the breaker', async () => {
    const policy = createUpstreamPolicy({
      name: 'order',
      retry: { maxAttempts: 5, initialDelayMs: 1, maxDelayMs: 2 },
      breaker: { consecutiveFailures: 2, halfOpenAfterMs: 10_000 },
    });
    let calls = 0;
    const error = await rejection(
      policy.execute(async () => {
        calls++;
        throw new AppError('UPSTREAM_UNAVAILABLE', 'upstream said 503');
      }),
    );
    expect(calls).toBe(2);
    expect(error.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(error.details?.['retry_after_ms']).toBeGreaterThan(9_000);
  });

  it('never opens the breaker on NOT_FOUND answers', async () => {
    const policy = createUpstreamPolicy({ name: 'customer', breaker: { consecutiveFailures: 2 } });
    let calls = 0;
    for (let i = 0; i < 6; i++) {
      await expect(
        policy.execute(async () => {
          calls++;
          throw new AppError('NOT_FOUND', 'gone');
        }),
      ).rejects.toMatchObject({ code: 'NOT_FOUND' });
    }
    expect(calls).toBe(6);
    expect(policy.breakerState).toBe('closed');
  });

  it('rejects the call over the concurrency limit with UPSTREAM_UNAVAILABLE, without opening the breaker', async () => {
    const policy = createUpstreamPolicy({ name: 'product', concurrency: 2, retry: false, breaker: { consecutiveFailures: 1 } });
    const { promise: gate, resolve: open } = Promise.withResolvers<void>();
    const hold = async (): Promise<string> => {
      await gate;
      return 'ok';
    };
    const running = [policy.execute(hold), policy.execute(hold)];
    const error = await rejection(policy.execute(hold));
    expect(error.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(error.message).toBe('upstream "product" is busy: concurrency limit reached');
    expect(policy.breakerState).toBe('closed');
    open();
    expect(await Promise.all(running)).toEqual(['ok', 'ok']);
  });

  it("rejects at once with the caller's AppError when the caller aborts, and does not count it against the upstream", async () => {
    const policy = createUpstreamPolicy({ name: 'payment', timeoutMs: 5000, retry: fastRetry, breaker: { consecutiveFailures: 1 } });
    const caller = new AbortController();
    let calls = 0;
    let workSignal: AbortSignal | undefined;
    const pending = policy.execute((signal) => {
      calls++;
      workSignal = signal;
      return new Promise<never>(() => {});
    }, caller.signal);
    const deadline = new AppError('TIMEOUT', 'deadline', { details: { deadline_ms: 30 } });
    setTimeout(() => caller.abort(deadline), 10);
    await expect(pending).rejects.toBe(deadline);
    expect(workSignal?.aborted).toBe(true);
    await sleep(20);
    expect(calls).toBe(1);
    expect(policy.breakerState).toBe('closed');

    const gone = new AbortController();
    gone.abort(new Error('client went away'));
    const error = await rejection(policy.execute(async () => 'never', gone.signal));
    expect(error).toMatchObject({ code: 'TIMEOUT', details: { cancelled: true } });
  });

  it('validates its options', () => {
    expect(() => createUpstreamPolicy({ name: '' })).toThrow(TypeError);
    expect(() => createUpstreamPolicy({ name: 'x', concurrency: 0 })).toThrow(RangeError);
    expect(() => createUpstreamPolicy({ name: 'x', timeoutMs: -1 })).toThrow(RangeError);
  });
});
