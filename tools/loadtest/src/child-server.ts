import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

/** How to start a server process for a scenario. */
export interface ChildServerSpec {
  /** Name in messages. */
  readonly name: string;
  /** Node arguments (script and its arguments); the executable is this Node. */
  readonly args: readonly string[];
  /** Variables added to the bench's environment. */
  readonly env: Readonly<Record<string, string>>;
  /** Working directory. */
  readonly cwd: string;
  /** File that receives the child's stdout and stderr (kept out of the bench process, which must stay idle). */
  readonly logFile: string;
  /** URL answering 200 once the server is ready. */
  readonly readyUrl: string;
  /** Give up waiting for readiness after this many milliseconds (default 30 000). */
  readonly readyTimeoutMs?: number;
}

/** A running server process. */
export interface ChildServer {
  /** Process id. */
  readonly pid: number | undefined;
  /** The last lines of its log. */
  tail(lines?: number): string;
  /** SIGTERM, then SIGKILL after 10 s. */
  stop(): Promise<void>;
}

/** Runs a Node script to completion with output to `logFile`; throws with the log's tail unless it exits 0. */
export async function runToCompletion(spec: Omit<ChildServerSpec, 'readyUrl' | 'readyTimeoutMs'>): Promise<void> {
  const fd = openSync(spec.logFile, 'a');
  try {
    const child = spawn(process.execPath, [...spec.args], { cwd: spec.cwd, env: { ...process.env, ...spec.env }, stdio: ['ignore', fd, fd] });
    const code = await new Promise<number | null>((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', (exitCode) => resolve(exitCode));
    });
    if (code !== 0) throw new Error(`${spec.name} failed (exit code ${code ?? 'signal'}). Last output:\n${tailOf(spec.logFile, 20)}`);
  } finally {
    closeSync(fd);
  }
}

/** Starts a server and waits until `readyUrl` answers 200; throws with the log's tail when it does not. */
export async function startChildServer(spec: ChildServerSpec): Promise<ChildServer> {
  const fd = openSync(spec.logFile, 'a');
  const child = spawn(process.execPath, [...spec.args], { cwd: spec.cwd, env: { ...process.env, ...spec.env }, stdio: ['ignore', fd, fd] });
  closeSync(fd);
  let exited = false;
  const exit = new Promise<void>((resolve) => {
    child.once('exit', () => {
      exited = true;
      resolve();
    });
    child.once('error', () => {
      exited = true;
      resolve();
    });
  });
  const server: ChildServer = {
    pid: child.pid,
    tail: (lines = 20) => tailOf(spec.logFile, lines),
    async stop(): Promise<void> {
      if (exited) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exit;
      clearTimeout(timer);
    },
  };

  const deadline = Date.now() + (spec.readyTimeoutMs ?? 30_000);
  let last = 'no answer';
  while (Date.now() < deadline && !exited) {
    try {
      const response = await fetch(spec.readyUrl, { signal: AbortSignal.timeout(2_000) });
      await response.body?.cancel();
      if (response.status === 200) return server;
      last = `HTTP ${response.status}`;
    } catch {
      last = 'no answer';
    }
    await sleep(100);
  }
  await server.stop();
  const why = exited ? 'exited before it was ready' : `was not ready (${spec.readyUrl} gave ${last})`;
  throw new Error(`${spec.name} ${why}. Last output:\n${tailOf(spec.logFile, 20)}`);
}

function tailOf(file: string, lines: number): string {
  try {
    const text = readFileSync(file, 'utf8').trimEnd();
    return text === '' ? '    (no output)' : text.split('\n').slice(-lines).map((line) => `    ${line}`).join('\n');
  } catch {
    return '    (no output)';
  }
}
