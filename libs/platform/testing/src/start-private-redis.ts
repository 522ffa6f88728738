import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from './spawn-server.ts';

/** A `redis-server` of one test alone (no persistence, 127.0.0.1, a free port): free to flush or stop. */
export interface PrivateRedis {
  /** `redis://127.0.0.1:<port>`. */
  readonly url: string;
  readonly port: number;
  /** Stops the server (SIGKILL after 5 s) and removes its folder. Idempotent. */
  destroy(): Promise<void>;
}

/**
 * Starts `redis-server` (from PATH, or `command`) with `--save "" --appendonly no` in a temporary folder and waits
 * until it answers PING. Call `destroy()` in `afterAll`.
 */
export async function startPrivateRedis(command = 'redis-server'): Promise<PrivateRedis> {
  const dir = await mkdtemp(path.join(tmpdir(), 'mcpfed-private-redis-'));
  const port = await freePort();
  const child = spawn(command, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], {
    stdio: 'ignore',
  });
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.once('error', () => resolve());
  });
  let destroyed: Promise<void> | undefined;
  const destroy = (): Promise<void> => {
    destroyed ??= (async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
        await exited;
        clearTimeout(timer);
      }
      await rm(dir, { recursive: true, force: true });
    })();
    return destroyed;
  };
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline && child.exitCode === null) {
    if (await answersPing(port)) return Object.freeze({ url: `redis://127.0.0.1:${port}`, port, destroy });
    await sleep(50);
  }
  await destroy();
  throw new Error(`redis-server (${command}) did not answer PING on port ${port} within 10 s`);
}

function answersPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    const finish = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1_000, () => finish(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (chunk) => finish(chunk.toString('latin1').startsWith('+PONG')));
    socket.once('error', () => finish(false));
  });
}
