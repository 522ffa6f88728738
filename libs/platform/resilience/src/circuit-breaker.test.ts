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
      await expect(
        breaker.execute(async () => {
          calls++;
          throw new AppError(code, 'answer');
        }),
      ).rejects.toMatchObject({ code });
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

describe('createCircuitBreaker with a readiness probe', () => {
  it('lets the trial call through as soon as a probe succeeds, long before halfOpenAfterMs, and closes on its success', async () => {
    let upstreamReady = false;
    let probes = 0;
    const breaker = createCircuitBreaker({
      consecutiveFailures: 1,
      halfOpenAfterMs: 60_000,
      probeIntervalMs: 20,
      probe: async () => {
        probes++;
        if (!upstreamReady) throw new Error('not ready');
      },
    });
    await expect(breaker.execute(unavailable)).rejects.toMatchObject({ code: 'UPSTREAM_UNAVAILABLE' });
    expect(breaker.state).toBe('open');
    await expect.poll(() => probes).toBeGreaterThanOrEqual(3);
    const refused = await breaker.execute(async () => 'not sent').catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(CircuitOpenError);
    // While it probes, the caller is told to come back after one probe interval, not after halfOpenAfterMs.
    expect((refused as CircuitOpenError).retryAfterMs).toBeLessThanOrEqual(20);

    upstreamReady = true;
    const backAt = Date.now();
    let result: unknown;
    while (result === undefined) {
      result = await breaker.execute(async () => 'served').catch(() => undefined);
      if (result === undefined) await sleep(5);
    }
    expect(result).toBe('served');
    expect(Date.now() - backAt).toBeLessThan(2_000);
    expect(breaker.state).toBe('closed');
    breaker.dispose();
  });

  it('re-opens when the trial fails, and probes again before the next trial', async () => {
    let probes = 0;
    let calls = 0;
    const breaker = createCircuitBreaker({ consecutiveFailures: 1, halfOpenAfterMs: 60_000, probeIntervalMs: 20, probe: async () => void probes++ });
    const failing = async (): Promise<never> => {
      calls++;
      return unavailable();
    };
    await expect(breaker.execute(failing)).rejects.toMatchObject({ code: 'UPSTREAM_UNAVAILABLE' });
    await expect.poll(() => probes).toBe(1);
    await expect(breaker.execute(failing)).rejects.toMatchObject({ code: 'UPSTREAM_UNAVAILABLE' });
    expect(calls).toBe(2);
    expect(breaker.state).toBe('open');
    // A fresh open period: refused until its own probe has answered.
    await expect(breaker.execute(failing)).rejects.toBeInstanceOf(CircuitOpenError);
    expect(calls).toBe(2);
    await expect.poll(() => probes).toBe(2);
    breaker.dispose();
  });

  it('keeps refusing while the probe fails, until halfOpenAfterMs lets one trial through', async () => {
    const breaker = createCircuitBreaker({
      consecutiveFailures: 1,
      halfOpenAfterMs: 1_000,
      probeIntervalMs: 10,
      probe: async () => {
        throw new Error('still down');
      },
    });
    await expect(breaker.execute(unavailable)).rejects.toMatchObject({ code: 'UPSTREAM_UNAVAILABLE' });
    const openedAt = Date.now();
    let calls = 0;
    const counted = async (): Promise<string> => {
      calls++;
      return 'ok';
    };
    while (Date.now() - openedAt < 500) {
      await expect(breaker.execute(counted)).rejects.toBeInstanceOf(CircuitOpenError);
      await sleep(10);
    }
    expect(calls).toBe(0);
    await sleep(Math.max(0, 1_050 - (Date.now() - openedAt)));
    expect(await breaker.execute(counted)).toBe('ok');
    expect(calls).toBe(1);
    breaker.dispose();
  });

  it('stops probing once disposed', async () => {
    let probes = 0;
    const breaker = createCircuitBreaker({
      consecutiveFailures: 1,
      probeIntervalMs: 10,
      probe: async () => {
        probes++;
        throw new Error('down');
      },
    });
    await expect(breaker.execute(unavailable)).rejects.toMatchObject({ code: 'UPSTREAM_UNAVAILABLE' });
    await expect.poll(() => probes).toBeGreaterThanOrEqual(1);
    breaker.dispose();
    const after = probes;
    await sleep(100);
    expect(probes).toBeLessThanOrEqual(after + 1);
    expect(() => createCircuitBreaker({ probeIntervalMs: 0 })).toThrow(RangeError);
  });
});
