import { randomInt } from 'node:crypto';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** How to run a server app's `main.ts` as a child process. */
export interface SpawnServerSpec {
  /** Name in messages and the log file's name, e.g. `payment-server`. */
  readonly name: string;
  /** The script and its arguments, e.g. `['apps/payment-server/src/main.ts', 'serve']`. */
  readonly args: readonly string[];
  /** The child's environment on top of this process's (PORT is added by {@link spawnServer}). */
  readonly env: Readonly<Record<string, string>>;
  /** Working directory (the repository root). */
  readonly cwd: string;
  /** File that receives its stdout and stderr (appended to). Default `<name>.log` in a temporary folder. */
  readonly logFile?: string;
  /** Port to listen on; default a free one. Keep it to restart the server on the same URL. */
  readonly port?: number;
  /** Path answering 200 once the server is ready. Default `/readyz`. */
  readonly readyPath?: string;
  /** Give up waiting for readiness after this long, in milliseconds. Default 60000. */
  readonly readyTimeoutMs?: number;
}

/** A running server process. */
export interface SpawnedServer {
  readonly name: string;
  readonly port: number;
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  /** Where its stdout and stderr go. */
  readonly logFile: string;
  /** The process id while it runs (undefined before start and after exit). */
  pid(): number | undefined;
  /** The last lines of its log. */
  tail(lines?: number): string;
  /** SIGTERM (graceful), then SIGKILL after `graceMs` (default 10000). */
  stop(graceMs?: number): Promise<void>;
  /** SIGKILL at once: a crash. */
  kill(): Promise<void>;
  /** Starts the same command again on the same port and waits until it is ready (after stop or kill). */
  restart(): Promise<void>;
}

/** Ports {@link freePort} gave out in this process: a second call must not return one before its server listens. */
const handedOut = new Set<number>();

/** A TCP port on 127.0.0.1 that was free a moment ago and that no earlier call in this process gave out. */
export async function freePort(): Promise<number> {
  // A port the kernel hands out for bind(0) or an outgoing connection (ip_local_port_range, 32768-60999 on Linux)
  // can be taken by another test's process between this check and the server's own listen: the server then fails
  // with EADDRINUSE while another server answers its URL. Below that range only other freePort calls pick ports;
  // within this process, remembering what was given out keeps two calls (before either server listens) apart.
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const port = 20_000 + randomInt(12_000);
    if (handedOut.has(port)) continue;
    handedOut.add(port);
    if (await canListen(port)) return port;
  }
  const port = await listenOnce(0);
  handedOut.add(port);
  return port;
}

/** Whether 127.0.0.1:`port` can be listened on right now. */
function canListen(port: number): Promise<boolean> {
  return listenOnce(port).then(
    () => true,
    () => false,
  );
}

/** Listens on 127.0.0.1:`port` (0: any), closes again and gives the port that was listened on. */
function listenOnce(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const address = server.address();
      const bound = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(bound));
    });
  });
}

/** Runs a Node script to completion (e.g. `migrate`); rejects with the log's tail unless it exits 0. */
export async function runToCompletion(spec: Omit<SpawnServerSpec, 'port' | 'readyPath' | 'readyTimeoutMs'>): Promise<void> {
  const logFile = spec.logFile ?? logFileFor(spec.name);
  const fd = openSync(logFile, 'a');
  try {
    const child = spawn(process.execPath, [...spec.args], { cwd: spec.cwd, env: { ...process.env, ...spec.env }, stdio: ['ignore', fd, fd] });
    const code = await new Promise<number | null>((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', (exitCode) => resolve(exitCode));
    });
    if (code !== 0) throw new Error(`${spec.name} exited with ${code ?? 'a signal'}. Last output:\n${tailOf(logFile, 30)}`);
  } finally {
    closeSync(fd);
  }
}

/**
 * Starts a server app as a child process of this Node (the real `serve`, as users run it) and waits until its
 * ready path answers 200. Output goes to a log file (its tail is in every error). Stop it in `afterAll`.
 */
export async function spawnServer(spec: SpawnServerSpec): Promise<SpawnedServer> {
  const port = spec.port ?? (await freePort());
  const logFile = spec.logFile ?? logFileFor(spec.name);
  const url = `http://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  let running = false;

  const start = async (): Promise<void> => {
    const fd = openSync(logFile, 'a');
    const proc = spawn(process.execPath, [...spec.args], {
      cwd: spec.cwd,
      env: { ...process.env, ...spec.env, PORT: String(port) },
      stdio: ['ignore', fd, fd],
    });
    closeSync(fd);
    child = proc;
    running = true;
    exited = new Promise<void>((resolve) => {
      proc.once('exit', () => {
        running = false;
        resolve();
      });
      proc.once('error', () => {
        running = false;
        resolve();
      });
    });
    // A loaded machine (a whole test suite on two cores) can take tens of seconds to start a Node process.
    const readyTimeoutMs = spec.readyTimeoutMs ?? 60_000;
    const deadline = Date.now() + readyTimeoutMs;
    let last = 'no answer';
    while (Date.now() < deadline && running) {
      try {
        const response = await fetch(`${url}${spec.readyPath ?? '/readyz'}`, { signal: AbortSignal.timeout(2_000) });
        await response.body?.cancel();
        if (response.status === 200) return;
        last = `HTTP ${response.status}`;
      } catch {
        last = 'no answer';
      }
      await sleep(100);
    }
    const timedOut = running;
    proc.kill('SIGKILL');
    await exited;
    throw new Error(
      `${spec.name} ${timedOut ? `was not ready within ${readyTimeoutMs} ms (${last})` : 'exited before it was ready'}. Last output:\n${tailOf(logFile, 30)}`,
    );
  };

  const server: SpawnedServer = {
    name: spec.name,
    port,
    url,
    logFile,
    tail: (lines = 30) => tailOf(logFile, lines),
    pid: () => (running ? child?.pid : undefined),
    async stop(graceMs = 10_000) {
      if (!running || child === undefined) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child?.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
    async kill() {
      if (!running || child === undefined) return;
      child.kill('SIGKILL');
      await exited;
    },
    async restart() {
      if (running) throw new Error(`${spec.name} is still running; stop or kill it first`);
      await start();
    },
  };
  await start();
  return server;
}

let logDir: string | undefined;

function logFileFor(name: string): string {
  logDir ??= mkdtempSync(path.join(tmpdir(), 'mcpfed-spawn-'));
  return path.join(logDir, `${name}.log`);
}

function tailOf(file: string, lines: number): string {
  try {
    const text = readFileSync(file, 'utf8').trimEnd();
    return text === ''
      ? '    (no output)'
      : text
          .split('\n')
          .slice(-lines)
          .map((line) => `    ${line}`)
          .join('\n');
  } catch {
    return '    (no output)';
  }
}
