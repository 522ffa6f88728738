import type { Redis } from 'ioredis';
import type { Logger } from '@mcpfed/telemetry';
import { createRedisConnection } from './redis-connection.ts';

/** Options of {@link createRedisConnections}. */
export interface RedisConnectionsConfig {
  /** `redis://` or `rediss://` URL. */
  url: string;
  /** Service name; each connection is named `<service>:<role>` in CLIENT LIST. */
  service: string;
  logger: Logger;
}

/** The Redis connections of one server: opened by role, closed together at shutdown. */
export interface RedisConnections {
  /** A new {@link createRedisConnection} connection named `<service>:<role>`. */
  open(role: string): Redis;
  /** QUIT every connection opened so far, dropping one that cannot quit cleanly. */
  close(): Promise<void>;
}

/**
 * Opens a server's Redis connections by role (each a {@link createRedisConnection}) and closes every one of them in
 * one shutdown step: QUIT, or a disconnect when QUIT fails (Redis already gone), so shutdown never hangs on Redis.
 */
export function createRedisConnections(config: RedisConnectionsConfig): RedisConnections {
  const connections: Redis[] = [];
  return {
    open(role) {
      const connection = createRedisConnection({ url: config.url, name: `${config.service}:${role}`, logger: config.logger });
      connections.push(connection);
      return connection;
    },
    async close() {
      await Promise.all(connections.map((c) => c.quit().catch(() => c.disconnect())));
    },
  };
}
