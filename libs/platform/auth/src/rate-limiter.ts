import { AppError, parseOptions } from '@mcpfed/errors';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, RLWrapperTimeouts } from 'rate-limiter-flexible';
import { z } from 'zod';

/**
 * The part of an ioredis 6 client (`Redis` or `Cluster`) that rate-limiter-flexible's `RateLimiterRedis` uses.
 * It is handed over as `storeClient` in ioredis mode: the limiter registers its Lua script with
 * `defineCommand`, calls the command it defines and reads `status` to skip a client that is not `ready`.
 * A node-redis client does not fit (it would need `useRedisPackage`).
 */
export interface RateLimiterRedisClient {
  /** ioredis connection state; anything but `ready` sends the call to the in-memory insurance limiter. */
  readonly status: string;
  /** Registers a Lua script as a client method (ioredis API). */
  defineCommand(name: string, definition: { lua: string; numberOfKeys?: number }): void;
  /** Starts a MULTI pipeline (ioredis API); used by the limiter's read and set paths. */
  multi(): unknown;
}

/** Settings of {@link createRateLimiter}. */
export interface RateLimiterConfig {
  /** A connected ioredis client shared by the process (not owned: the limiter never closes it). */
  redis: RateLimiterRedisClient;
  /** Redis key prefix, e.g. `mcpfed:rl:customer`; keys are `<keyPrefix>:<principalId>:<tool>`. */
  keyPrefix: string;
  /** Calls allowed per principal and tool in one window (count, integer >= 1). */
  points: number;
  /** Length of the fixed window, in seconds (integer >= 1). */
  windowSeconds: number;
  /** How long to wait for Redis before using the in-memory limiter instead, in milliseconds. Default: 250. */
  redisTimeoutMs?: number;
}

/** A per-principal, per-tool call budget. */
export interface RateLimiter {
  /**
   * Spends one call of `principalId`'s budget for `tool`. Throws `AppError('RATE_LIMITED')` with
   * `details: { retry_after_ms }` (milliseconds until the window resets, >= 1) when it is spent.
   */
  consume(principalId: string, tool: string): Promise<void>;
}

const KEY_PREFIX = 'must be a non-empty string without whitespace';
const WHOLE_NUMBER = 'must be an integer >= 1';

const rateLimiterOptions = z.object({
  keyPrefix: z.string({ error: KEY_PREFIX }).regex(/^\S+$/, { error: KEY_PREFIX }),
  points: z.number({ error: WHOLE_NUMBER }).int({ error: WHOLE_NUMBER }).min(1, { error: WHOLE_NUMBER }),
  windowSeconds: z.number({ error: WHOLE_NUMBER }).int({ error: WHOLE_NUMBER }).min(1, { error: WHOLE_NUMBER }),
  redisTimeoutMs: z
    .number({ error: 'must be a number > 0' })
    .finite({ error: 'must be a number > 0' })
    .positive({ error: 'must be a number > 0' })
    .default(250),
  redis: z.custom<RateLimiterRedisClient>((value) => typeof (value as RateLimiterRedisClient | undefined)?.defineCommand === 'function', {
    error: 'must be an ioredis client',
  }),
});

/**
 * Creates a fixed-window rate limiter whose counters live in Redis, so every replica of a server draws from the
 * same budget (docs/architecture.md §5), built on rate-limiter-flexible's atomic `RateLimiterRedis` (one Lua call per
 * consume).
 *
 * Availability over strictness: when Redis is not ready, errors or takes longer than `redisTimeoutMs`, the call
 * is counted by an in-memory limiter with the same budget instead of failing. While Redis is out, each replica
 * enforces the budget on its own, so N replicas may together allow up to N × `points` per window.
 *
 * Once a key is over budget, further calls in this process are refused from memory until the window resets,
 * without a Redis round trip.
 */
export function createRateLimiter(options: RateLimiterConfig): RateLimiter {
  const { redis, keyPrefix, points, windowSeconds, redisTimeoutMs } = parseOptions('createRateLimiter', rateLimiterOptions, options);

  const insurance = new RateLimiterMemory({ keyPrefix, points, duration: windowSeconds });
  const shared = new RateLimiterRedis({
    storeClient: redis,
    useRedisPackage: false,
    rejectIfRedisNotReady: true,
    keyPrefix,
    points,
    duration: windowSeconds,
    inMemoryBlockOnConsumed: points + 1,
    insuranceLimiter: insurance,
  });
  const limiter = new RLWrapperTimeouts({ limiter: shared, timeoutMs: redisTimeoutMs, insuranceLimiter: insurance });

  return Object.freeze({
    async consume(principalId: string, tool: string): Promise<void> {
      try {
        await limiter.consume(`${principalId}:${tool}`);
      } catch (rejection) {
        if (rejection instanceof RateLimiterRes) {
          throw new AppError('RATE_LIMITED', `rate limit exceeded for ${tool}; retry later`, {
            details: { retry_after_ms: Math.max(1, Math.ceil(rejection.msBeforeNext)) },
          });
        }
        // Only reachable if the insurance limiter itself fails; it is in memory, so this is a defect.
        throw new AppError('INTERNAL', 'rate limiter failed', { cause: rejection });
      }
    },
  });
}
