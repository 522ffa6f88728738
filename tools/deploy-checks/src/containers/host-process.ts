import { spawn } from 'node:child_process';
import type { ChildProcess, SpawnOptions } from 'node:child_process';
import { openSync, readFileSync } from 'node:fs';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { runCommand } from '../run-command.ts';

/** Options of {@link spawnLogged}. */
export interface SpawnLoggedOptions {
  /** Standard output and error are appended here. */
  readonly logFile: string;
  /** Added to the current environment. */
  readonly env?: Readonly<Record<string, string>>;
  /** Run as this user and group (e.g. PostgreSQL, which refuses root). */
  readonly uid?: number;
  readonly gid?: number;
  readonly cwd?: string;
}

/** Starts a long-running helper process of this run with its output in `logFile`. */
export function spawnLogged(command: string, args: readonly string[], options: SpawnLoggedOptions): ChildProcess {
  const spawnOptions: SpawnOptions = {
    stdio: ['ignore', openSync(options.logFile, 'a'), openSync(options.logFile, 'a')],
    env: { ...process.env, ...options.env },
    ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
    ...(options.uid === undefined ? {} : { uid: options.uid }),
    ...(options.gid === undefined ? {} : { gid: options.gid }),
  };
  const child = spawn(command, [...args], spawnOptions);
  child.once('error', () => undefined);
  return child;
}

/** Sends `signal` to a child of this run and waits up to `timeoutMs` for it to exit, then kills it. */
export async function stopChild(child: ChildProcess, signal: NodeJS.Signals, timeoutMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill(signal);
  const done = await Promise.race([exited.then(() => true), sleep(timeoutMs).then(() => false)]);
  if (!done) {
    child.kill('SIGKILL');
    await Promise.race([exited, sleep(5000)]);
  }
}

/** Lazily unmounts every mount point at or below `dir` (deepest first), so that the folder can be removed. */
export async function unmountBelow(dir: string): Promise<void> {
  let mounts: string[];
  try {
    mounts = readFileSync('/proc/self/mounts', 'utf8')
      .split('\n')
      .map((line) => (line.split(' ')[1] ?? '').replace(/\\040/g, ' '))
      .filter((point) => point === dir || point.startsWith(`${dir}/`));
  } catch {
    return;
  }
  for (const point of mounts.sort((a, b) => b.length - a.length)) await runCommand('umount', ['-l', point], { timeoutMs: 10_000 });
}

/** A TCP port that was free on `host` a moment ago (the OS picks it). */
export async function freePortOn(host: string): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve, reject) => {
    probe.once('error', reject);
    probe.listen(0, host, () => resolve());
  });
  const { port } = probe.address() as net.AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

/** Resolves once something accepts TCP connections on `host:port`; rejects after `timeoutMs` or when `alive()` turns false. */
export async function waitForPort(host: string, port: number, timeoutMs: number, what: string, alive: () => boolean): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!alive()) throw new Error(`${what} exited before it listened on ${host}:${port}`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = net.connect({ host, port });
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    await sleep(100);
  }
  throw new Error(`${what} did not listen on ${host}:${port} within ${timeoutMs} ms`);
}

/** Whether a child of this run is still running. */
export function isRunning(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null;
}
