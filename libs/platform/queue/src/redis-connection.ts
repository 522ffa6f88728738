import { Redis } from 'ioredis';
import type { Logger } from '@mcpfed/telemetry';

/** Options of {@link createRedisConnection}. */
export interface RedisConnectionConfig {
  /** `redis://` or `rediss://` URL. */
  url: string;
  /** Connection name shown by CLIENT LIST, e.g. `product-server:worker`. */
  name: string;
  logger: Logger;
}

/**
 * An ioredis connection for BullMQ. Workers block on Redis, so commands must wait through reconnects instead of
 * failing after a retry count (`maxRetriesPerRequest: null`, BullMQ's requirement); the connection keeps
 * retrying with capped backoff while Redis is down, and says so in the log once per outage.
 */
export function createRedisConnection(config: RedisConnectionConfig): Redis {
  let down = false;
  const redis = new Redis(config.url, {
    connectionName: config.name,
    maxRetriesPerRequest: null,
    enableReadyCheck: true,
    retryStrategy: (attempt) => Math.min(50 * 2 ** attempt, 2000),
  });
  redis.on('error', (error: Error) => {
    if (down) return;
    down = true;
    config.logger.warn({ err: error, connection: config.name }, 'redis unreachable; retrying');
  });
  redis.on('ready', () => {
    if (down) config.logger.info({ connection: config.name }, 'redis reachable again');
    down = false;
  });
  return redis;
}
