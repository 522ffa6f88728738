import { randomUUID } from 'node:crypto';
import type { AppError } from '@mcpfed/errors';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRateLimiter } from '../src/index.ts';

const REDIS_URL = 'redis://127.0.0.1:6379';
const prefix = `test:auth:rl:${randomUUID()}`;
let replicaA: Redis;
let replicaB: Redis;

beforeAll(async () => {
  replicaA = new Redis(REDIS_URL, { lazyConnect: true });
  replicaB = new Redis(REDIS_URL, { lazyConnect: true });
  await Promise.all([replicaA.connect(), replicaB.connect()]);
});

afterAll(async () => {
  const keys = await replicaA.keys(`${prefix}*`);
  if (keys.length > 0) await replicaA.del(...keys);
  await Promise.all([replicaA.quit(), replicaB.quit()]);
});

const RATE_LIMITED = { code: 'RATE_LIMITED', retryable: true };

/** The retry_after_ms of the RATE_LIMITED error the call must fail with. */
async function retryAfterMs(call: Promise<void>): Promise<number> {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toMatchObject(RATE_LIMITED);
  return ((error as AppError).details as { retry_after_ms: number }).retry_after_ms;
}

describe('createRateLimiter against real Redis', () => {
  it('allows `points` calls per window, then refuses with RATE_LIMITED and retry_after_ms', async () => {
    const keyPrefix = `${prefix}:single`;
    const limiter = createRateLimiter({ redis: replicaA, keyPrefix, points: 3, windowSeconds: 30 });
    for (let i = 0; i < 3; i += 1) await limiter.consume('user-1', 'customer_get');
    const retryAfter = await retryAfterMs(limiter.consume('user-1', 'customer_get'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(30_000);
    expect(await replicaA.get(`${keyPrefix}:user-1:customer_get`)).toBe('4');
    expect(await replicaA.pttl(`${keyPrefix}:user-1:customer_get`)).toBeGreaterThan(0);
  });

  it('keeps separate budgets per principal and per tool', async () => {
    const limiter = createRateLimiter({ redis: replicaA, keyPrefix: `${prefix}:separate`, points: 1, windowSeconds: 30 });
    await limiter.consume('user-1', 'customer_get');
    await limiter.consume('user-2', 'customer_get');
    await limiter.consume('user-1', 'customer_list');
    await expect(limiter.consume('user-1', 'customer_get')).rejects.toMatchObject(RATE_LIMITED);
  });

  it('shares one budget between two replicas', async () => {
    const keyPrefix = `${prefix}:shared`;
    const a = createRateLimiter({ redis: replicaA, keyPrefix, points: 3, windowSeconds: 30 });
    const b = createRateLimiter({ redis: replicaB, keyPrefix, points: 3, windowSeconds: 30 });
    await a.consume('user-1', 'order_place');
    await b.consume('user-1', 'order_place');
    await a.consume('user-1', 'order_place');
    await expect(b.consume('user-1', 'order_place')).rejects.toMatchObject(RATE_LIMITED);
    await expect(a.consume('user-1', 'order_place')).rejects.toMatchObject(RATE_LIMITED);
  });

  it('enforces the budget exactly under concurrent calls from both replicas', async () => {
    const keyPrefix = `${prefix}:concurrent`;
    const a = createRateLimiter({ redis: replicaA, keyPrefix, points: 10, windowSeconds: 30 });
    const b = createRateLimiter({ redis: replicaB, keyPrefix, points: 10, windowSeconds: 30 });
    const results = await Promise.allSettled(Array.from({ length: 30 }, (_, i) => (i % 2 === 0 ? a : b).consume('user-1', 'product_search')));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(10);
    for (const r of results.filter((r) => r.status === 'rejected')) expect(r.reason).toMatchObject(RATE_LIMITED);
  });

  it('falls back to an in-memory budget when Redis is unreachable (availability over strictness)', async () => {
    const down = new Redis({ port: 1, host: '127.0.0.1', lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
    try {
      const limiter = createRateLimiter({ redis: down, keyPrefix: `${prefix}:down`, points: 2, windowSeconds: 30 });
      await limiter.consume('user-1', 'customer_get');
      await limiter.consume('user-1', 'customer_get');
      expect(await retryAfterMs(limiter.consume('user-1', 'customer_get'))).toBeGreaterThan(0);
    } finally {
      down.disconnect();
    }
  });

  it('falls back to the in-memory budget when Redis stops answering (redisTimeoutMs)', async () => {
    // A connection stuck behind a BLPOP with no timeout stays `ready` but answers nothing: a stalled Redis.
    const stalled = new Redis(REDIS_URL, { lazyConnect: true });
    await stalled.connect();
    stalled.blpop(`${prefix}:never-pushed`, 0).catch(() => {});
    try {
      const limiter = createRateLimiter({
        redis: stalled,
        keyPrefix: `${prefix}:stalled`,
        points: 1,
        windowSeconds: 30,
        redisTimeoutMs: 50,
      });
      const started = Date.now();
      await limiter.consume('user-1', 'customer_get');
      await expect(limiter.consume('user-1', 'customer_get')).rejects.toMatchObject(RATE_LIMITED);
      expect(Date.now() - started).toBeLessThan(2_000);
      expect(await replicaA.exists(`${prefix}:stalled:user-1:customer_get`)).toBe(0);
    } finally {
      stalled.disconnect();
    }
  });

  it('validates its configuration', () => {
    const ok = { redis: replicaA, keyPrefix: `${prefix}:cfg`, points: 1, windowSeconds: 1 };
    for (const bad of [
      { ...ok, keyPrefix: '' },
      { ...ok, points: 0 },
      { ...ok, points: 1.5 },
      { ...ok, windowSeconds: 0 },
      { ...ok, redisTimeoutMs: 0 },
    ]) {
      expect(() => createRateLimiter(bad)).toThrow(expect.objectContaining({ code: 'VALIDATION_FAILED' }));
    }
  });
});
