import { constants } from 'node:fs';
import { access, mkdir } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { assertPortsFree } from './ports.ts';
import { StackError } from './stack-error.ts';
import type { ManagedProcess, Supervisor } from './supervisor.ts';

/** Where the stack's Redis comes from. */
export type RedisSource = 'env' | 'local' | 'spawned';

/** The Redis the stack uses. */
export interface StackRedis {
  /** REDIS_URL for the services. */
  readonly url: string;
  /** How it was found. */
  readonly source: RedisSource;
  /** Stops it when the stack started it; otherwise does nothing. */
  stop(): Promise<void>;
}

/** Options of {@link resolveRedis}. */
export interface ResolveRedisOptions {
  /** REDIS_URL from the environment, if any: used as given. */
  readonly redisUrl: string | undefined;
  /** Directory for a spawned redis-server's working files (`.data/redis`). */
  readonly dataDir: string;
  /** Starts the redis-server child. */
  readonly supervisor: Supervisor;
  /** PATH to look for `redis-server` on (default process.env.PATH). */
  readonly searchPath?: string;
  /** Where an already running Redis is looked for (default {@link LOCAL_REDIS}). */
  readonly local?: { readonly host: string; readonly port: number };
  /** Port of a redis-server the stack starts (default {@link SPAWNED_REDIS_PORT}). */
  readonly spawnPort?: number;
}

/** The Redis most developers already run. */
export const LOCAL_REDIS = { host: '127.0.0.1', port: 6379 } as const;

/** Port of the redis-server the stack starts when there is no other Redis. */
export const SPAWNED_REDIS_PORT = 6380;

/**
 * REDIS_URL when given; else a Redis on 127.0.0.1:6379 when it answers PING; else a `redis-server` child on 6380
 * (no persistence) when one is on PATH; else a {@link StackError} saying what to do.
 */
export async function resolveRedis(options: ResolveRedisOptions): Promise<StackRedis> {
  const noop = async (): Promise<void> => {};
  if (options.redisUrl !== undefined && options.redisUrl !== '') {
    return { url: options.redisUrl, source: 'env', stop: noop };
  }
  const local = options.local ?? LOCAL_REDIS;
  if (await pingRedis(local.host, local.port)) {
    return { url: `redis://${local.host}:${local.port}`, source: 'local', stop: noop };
  }
  const executable = await findOnPath('redis-server', options.searchPath ?? process.env['PATH'] ?? '');
  if (executable === undefined) {
    throw new StackError(
      `Redis is not available: nothing answers PING on ${local.host}:${local.port} and redis-server is not on PATH. ` +
        'Install and start Redis (e.g. `sudo apt-get install redis-server` or `brew install redis && brew services start redis`), ' +
        'or set REDIS_URL=redis://host:port.',
    );
  }
  const port = options.spawnPort ?? SPAWNED_REDIS_PORT;
  await assertPortsFree([{ port, owner: 'redis-server started by the dev stack' }]);
  await mkdir(options.dataDir, { recursive: true });
  const child = options.supervisor.start({
    name: 'redis',
    color: 'red',
    command: executable,
    args: ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', options.dataDir, '--daemonize', 'no'],
    cwd: options.dataDir,
    quiet: true,
  });
  await waitForPong(child, port);
  return { url: `redis://127.0.0.1:${port}`, source: 'spawned', stop: async () => void (await child.stop()) };
}

/** Whether a Redis on host:port answers PING with PONG (an instance that needs a password does not count). */
export async function pingRedis(host: string, port: number, timeoutMs = 1_000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    let reply = '';
    const finish = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => finish(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      reply += chunk.toString('latin1');
      if (reply.includes('\r\n')) finish(reply.startsWith('+PONG'));
    });
    socket.once('error', () => finish(false));
    socket.once('close', () => finish(false));
  });
}

async function waitForPong(child: ManagedProcess, port: number): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (!child.running) break;
    if (await pingRedis('127.0.0.1', port)) return;
    await sleep(100);
  }
  await child.stop();
  throw new StackError(`redis-server did not answer on port ${port}. Last output:\n${child.tail.render()}`);
}

async function findOnPath(name: string, searchPath: string): Promise<string | undefined> {
  for (const dir of searchPath.split(path.delimiter)) {
    if (dir === '') continue;
    const candidate = path.join(dir, name);
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  return undefined;
}
