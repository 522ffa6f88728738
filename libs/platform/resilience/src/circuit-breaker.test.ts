import { AppError } from '@mcpfed/errors';
import { isBrokenCircuitError } from 'cockatiel';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { createCircuitBreaker } from './circuit-breaker.ts';
import type { BreakerState } from './circuit-breaker.ts';
import { CircuitOpenError } from './policy-errors.ts';

const unavailable = async (): Promise<never> => {
  throw new AppError('UPSTREAM_UNAVAILABLE', 'down');
};

describe('createCircuitBreaker', () => {
  it('opens after N consecutive upstream failures, rejects fast, half-opens and closes after a success', async () => {
    const breaker = createCircuitBreaker({ consecutiveFailures: 3, halfOpenAfterMs: 40 });
    const states: BreakerState[] = [];
    breaker.onStateChange((state) => states.push(state));
    let calls = 0;
    const failing = async (): Promise<never> => {
      calls++;
      return unavailable();
    };

    for (let i = 0; i < 2; i++) await expect(breaker.execute(failing)).rejects.toMatchObject({ code: 'UPSTREAM_UNAVAILABLE' });
    expect(breaker.state).toBe('closed');
    await expect(breaker.execute(failing)).rejects.toMatchObject({ code: 'UPSTREAM_UNAVAILABLE' });
    expect(breaker.state).toBe('open');
    expect(calls).toBe(3);

    const rejection = await breaker.execute(failing).catch((e: unknown) => e);
    expect(isBrokenCircuitError(rejection)).toBe(true);
    expect(rejection).toBeInstanceOf(CircuitOpenError);
    expect((rejection as CircuitOpenError).retryAfterMs).toBeGreaterThan(0);
    expect((rejection as CircuitOpenError).retryAfterMs).toBeLessThanOrEqual(40);
    expect(calls).toBe(3);

    await sleep(50);
    expect(await breaker.execute(async () => 'probe ok')).toBe('probe ok');
    expect(breaker.state).toBe('closed');
    expect(states).toEqual(['open', 'half-open', 'closed']);
  });

  it('re-opens when the half-open probe fails', async () => {
    const breaker = createCircuitBreaker({ consecutiveFailures: 1, halfOpenAfterMs: 20 });
    await expect(breaker.execute(unavailable)).rejects.toMatchObject({ code: 'UPSTREAM_UNAVAILABLE' });
    expect(breaker.state).toBe('open');
    await sleep(30);
    await expect(breaker.execute(unavailable)).rejects.toMatchObject({ code: 'UPSTREAM_UNAVAILABLE' });
    expect(breaker.state).toBe('open');
    await expect(breaker.execute(async () => 'x')).rejects.toBeInstanceOf(CircuitOpenError);
  });

  it('never opens on business answers such as NOT_FOUND or VALIDATION_FAILED', async () => {
    const breaker = createCircuitBreaker({ consecutiveFailures: 2, halfOpenAfterMs: 10_000 });
    let calls = 0;
    for (let i = 0; i < 10; i++) {
      const code = i % 2 === 0 ? 'NOT_FOUND' : 'VALIDATION_FAILED';
      await expect(breaker.execute(async () => {
        calls++;
        throw new AppError(code, 'answer');
      })).rejects.toMatchObject({ code });
    }
    expect(calls).toBe(10);
    expect(breaker.state).toBe('closed');
  });

  it('counts only consecutive failures: a success resets the count', async () => {
    const breaker = createCircuitBreaker({ consecutiveFailures: 2 });
    await expect(breaker.execute(unavailable)).rejects.toMatchObject({ code: 'UPSTREAM_UNAVAILABLE' });
    await breaker.execute(async () => 1);
    await expect(breaker.execute(unavailable)).rejects.toMatchObject({ code: 'UPSTREAM_UNAVAILABLE' });
    expect(breaker.state).toBe('closed');
    await expect(breaker.execute(unavailable)).rejects.toMatchObject({ code: 'UPSTREAM_UNAVAILABLE' });
    expect(breaker.state).toBe('open');
  });

  it('stops notifying an unsubscribed listener and validates options', async () => {
    const breaker = createCircuitBreaker({ consecutiveFailures: 1 });
    const seen: BreakerState[] = [];
    const unsubscribe = breaker.onStateChange((s) => seen.push(s));
    unsubscribe();
    await expect(breaker.execute(unavailable)).rejects.toMatchObject({ code: 'UPSTREAM_UNAVAILABLE' });
    expect(breaker.state).toBe('open');
    expect(seen).toEqual([]);
    expect(() => createCircuitBreaker({ consecutiveFailures: 0 })).toThrow(RangeError);
    expect(() => createCircuitBreaker({ halfOpenAfterMs: -5 })).toThrow(RangeError);
  });
});
