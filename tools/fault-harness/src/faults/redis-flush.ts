import { Redis } from 'ioredis';
import type { Fault, FaultContext, FaultWindow } from './fault.ts';
import { FaultSkipped } from './fault.ts';

/**
 * `redis-flush`: FLUSHDB of the stack's Redis database while checkouts, order events and delayed jobs are queued
 * there — what a Redis restart without persistence does. Destroys data, so the settings refuse it without
 * `--allow-redis-flush`.
 */
export const redisFlush: Fault = {
  name: 'redis-flush',
  description: "FLUSHDB of the stack's Redis database (queued checkouts, unconsumed events, delayed jobs)",
  async inject(context: FaultContext): Promise<FaultWindow> {
    const url = context.target.redisUrl;
    if (url === undefined) throw new FaultSkipped('no Redis URL: pass --redis-url (or REDIS_URL)');
    if (!context.settings.allowRedisFlush) throw new FaultSkipped('needs --allow-redis-flush');
    const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
    try {
      await redis.connect();
      const keys = await redis.dbsize();
      context.log(`FLUSHDB of ${new URL(url).host} (${keys} keys)`);
      const startedAt = Date.now();
      await redis.flushdb();
      // Issue 12's bar: jobs are rebuilt from the database, so open checkouts finish within 10 s of Redis's return.
      return { startedAt, endedAt: Date.now(), detail: `FLUSHDB of ${keys} keys`, checkoutsWithinMs: 10_000 };
    } finally {
      redis.disconnect();
    }
  },
};
