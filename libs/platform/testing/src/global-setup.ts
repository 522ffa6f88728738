import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { DEFAULT_DATABASE_URL, DEFAULT_REDIS_URL } from './test-services.ts';
import type { TestServices } from './test-services.ts';
import { startSharedEmbeddedPostgres } from './shared-embedded-postgres.ts';

const WORKSPACE_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

/**
 * The vitest global setup of the workspace (referenced by the root `vitest.config.ts`). Before any test file:
 * - PostgreSQL: uses TEST_DATABASE_URL (default `postgres://postgres@127.0.0.1:5432/postgres`); when nothing
 *   answers there, starts an embedded PostgreSQL (`embedded-postgres`) under `.data/test-postgres` on port
 *   54329, shared with parallel vitest processes and stopped by the last one after its run.
 * - Redis: uses TEST_REDIS_URL (default `redis://127.0.0.1:6379`); when nothing answers it fails with one
 *   message saying how to start Redis.
 * Tests read both URLs with `inject('databaseUrl')` / `inject('redisUrl')` (or through `createTestDatabase` /
 * `createTestRedis`). With both servers up this takes a few tens of milliseconds.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const requestedDatabaseUrl = process.env['TEST_DATABASE_URL'] ?? DEFAULT_DATABASE_URL;
  const redisUrl = process.env['TEST_REDIS_URL'] ?? DEFAULT_REDIS_URL;
  const [postgresUp, redisUp] = await Promise.all([postgresReachable(requestedDatabaseUrl), redisReachable(redisUrl)]);
  if (!redisUp) {
    throw new Error(
      `Redis is not reachable at ${redisUrl}. Start it with \`redis-server --daemonize yes\` ` +
        '(install: `apt-get install redis-server` or `brew install redis`), or set TEST_REDIS_URL.',
    );
  }

  let services: TestServices = { databaseUrl: requestedDatabaseUrl, redisUrl };
  let release = async (): Promise<void> => undefined;
  if (!postgresUp) {
    const embedded = await startSharedEmbeddedPostgres(`${WORKSPACE_ROOT}.data`, postgresReachable);
    services = { ...services, databaseUrl: embedded.url };
    release = embedded.release;
  }
  project.provide('databaseUrl', services.databaseUrl);
  project.provide('redisUrl', services.redisUrl);
  return release;
}

/** True when a PostgreSQL server accepts a connection at `url` and answers `SELECT 1` within 2 s. */
async function postgresReachable(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** True when something at `url` answers a Redis PING (any RESP reply, even -NOAUTH) within 1 s. */
function redisReachable(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect({ host: hostname || '127.0.0.1', port: Number(port || 6379) });
    const done = (up: boolean): void => {
      socket.destroy();
      resolve(up);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (chunk) => done(/^[+-]/.test(chunk.toString('latin1'))));
  });
}
