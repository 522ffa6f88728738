import { Redis } from 'ioredis';
import { randomKeyPrefix } from './factories.ts';
import { testServiceUrl } from './test-service-url.ts';

/** Options of {@link createTestRedis}. */
export interface TestRedisOptions {
  /** Part of the key prefix, naming the test's subject (e.g. `rate-limit`). Default `redis`. */
  label?: string;
  /** Redis URL. Default: the global setup's `redisUrl`, else TEST_REDIS_URL, else local. */
  url?: string;
}

/** A connected Redis client and a key prefix of one test file. Call `cleanup()` in `afterAll`. */
export interface TestRedis {
  /** The Redis URL, for components that open their own connections (BullMQ). */
  readonly url: string;
  /** A connected client (no ioredis `keyPrefix`: BullMQ refuses one). */
  readonly client: Redis;
  /** `test:<label>:<random>:` — every key the test writes must start with it. */
  readonly prefix: string;
  /** Deletes every key under `prefix` (SCAN + UNLINK) and closes `client`. Idempotent. */
  cleanup(): Promise<void>;
}

/** Connects to the test Redis with a fresh random key prefix. */
export async function createTestRedis(options: TestRedisOptions = {}): Promise<TestRedis> {
  const url = options.url ?? testServiceUrl('redisUrl');
  const prefix = randomKeyPrefix(options.label ?? 'redis');
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await client.connect();
  let cleaning: Promise<void> | undefined;
  return Object.freeze({
    url,
    client,
    prefix,
    cleanup(): Promise<void> {
      cleaning ??= (async () => {
        await deleteKeys(client, prefix);
        await client.quit();
      })();
      return cleaning;
    },
  });
}

/** Deletes every key starting with `prefix`, in SCAN batches (never KEYS, which blocks the server). */
export async function deleteKeys(client: Redis, prefix: string): Promise<number> {
  const pattern = `${prefix.replace(/[*?[\]\\]/g, '\\$&')}*`;
  let cursor = '0';
  let deleted = 0;
  do {
    const [next, keys] = await client.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
    cursor = next;
    if (keys.length > 0) deleted += await client.unlink(...keys);
  } while (cursor !== '0');
  return deleted;
}
