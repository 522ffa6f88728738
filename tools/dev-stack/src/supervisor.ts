import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { formatLogLine } from './log-format.ts';
import type { NameColor } from './log-format.ts';
import { StackError } from './stack-error.ts';
import { TailBuffer } from './tail-buffer.ts';

/** How to run one child process. */
export interface ProcessSpec {
  /** Short name used as log prefix and in messages. */
  readonly name: string;
  /** Colour of the log prefix. */
  readonly color: NameColor;
  /** Executable (absolute path or a name on PATH). */
  readonly command: string;
  /** Its arguments. */
  readonly args: readonly string[];
  /** Variables added to the dev stack's own environment. */
  readonly env?: Readonly<Record<string, string>>;
  /** Working directory. */
  readonly cwd: string;
  /** Keep the output for failure messages only instead of printing it (default false). */
  readonly quiet?: boolean;
}

/** How a child ended. */
export interface ExitStatus {
  /** Exit code, or null when a signal ended it. */
  readonly code: number | null;
  /** The signal that ended it, or null. */
  readonly signal: NodeJS.Signals | null;
}

/** Options of {@link Supervisor}. */
export interface SupervisorOptions {
  /** Receives every formatted output line (without a trailing newline). */
  readonly print: (line: string) => void;
  /** Whether log prefixes are coloured. */
  readonly ansi: boolean;
  /** Width the names are padded to (characters). */
  readonly nameWidth: number;
}

/** Milliseconds a child gets between SIGTERM and SIGKILL. */
export const STOP_GRACE_MS = 10_000;

/** A running child: its output is prefixed and printed, the last lines kept for failure messages. */
export class ManagedProcess {
  /** Short name (log prefix). */
  readonly name: string;
  /** The last lines it printed, formatted without colours. */
  readonly tail = new TailBuffer(30);
  /** Settles when the process has exited. */
  readonly exited: Promise<ExitStatus>;
  readonly #child: ChildProcess;
  #status: ExitStatus | undefined;

  /** Spawns the process described by `spec` (in its own process group, so the terminal's Ctrl-C reaches only the stack). */
  constructor(spec: ProcessSpec, options: SupervisorOptions) {
    this.name = spec.name;
    this.#child = spawn(spec.command, [...spec.args], {
      cwd: spec.cwd,
      env: { ...process.env, ...spec.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    const format = { name: spec.name, color: spec.color, nameWidth: options.nameWidth };
    const onLine = (line: string): void => {
      for (const plain of formatLogLine(line, format).split('\n')) this.tail.push(plain);
      if (spec.quiet !== true) options.print(formatLogLine(line, { ...format, ansi: options.ansi }));
    };
    const streamsDone = [this.#child.stdout, this.#child.stderr].map((stream) => pipeLines(stream, onLine));
    this.exited = new Promise((resolve) => {
      this.#child.once('error', (error) => {
        this.tail.push(`failed to start ${spec.command}: ${error.message}`);
        this.#status = { code: 127, signal: null };
        resolve(this.#status);
      });
      this.#child.once('exit', (code, signal) => {
        // Let the last lines reach the tail before anyone reads it.
        void Promise.all(streamsDone).then(() => {
          this.#status = { code, signal };
          resolve(this.#status);
        });
      });
    });
  }

  /** Process id (undefined when spawning failed). */
  get pid(): number | undefined {
    return this.#child.pid;
  }

  /** Whether it has not exited yet. */
  get running(): boolean {
    return this.#status === undefined;
  }

  /** Sends a signal to its process group (the process and anything it started). */
  signal(signal: NodeJS.Signals): void {
    if (!this.running || this.#child.pid === undefined) return;
    try {
      process.kill(-this.#child.pid, signal);
    } catch {
      this.#child.kill(signal);
    }
  }

  /** SIGTERM, then SIGKILL when it has not exited after `graceMs` (default {@link STOP_GRACE_MS}). */
  async stop(graceMs = STOP_GRACE_MS): Promise<ExitStatus> {
    if (!this.running) return this.exited;
    this.signal('SIGTERM');
    const timer = setTimeout(() => this.signal('SIGKILL'), graceMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }
}

/** Starts, watches and stops the stack's child processes. */
export class Supervisor {
  readonly #options: SupervisorOptions;
  readonly #running = new Set<ManagedProcess>();

  /** @param options where output goes and how it looks. */
  constructor(options: SupervisorOptions) {
    this.#options = Object.freeze({ ...options });
  }

  /** Starts a long-running child. */
  start(spec: ProcessSpec): ManagedProcess {
    const child = new ManagedProcess(spec, this.#options);
    this.#running.add(child);
    void child.exited.then(() => this.#running.delete(child));
    return child;
  }

  /** Runs a child to completion; throws a {@link StackError} with its last lines unless it exits 0. */
  async run(spec: ProcessSpec, what: string): Promise<void> {
    const child = this.start(spec);
    const status = await child.exited;
    if (status.code === 0) return;
    throw new StackError(`${spec.name}: ${what} failed (${describeExit(status)}). Last output:\n${child.tail.render()}`);
  }

  /** Stops every running child at once (SIGTERM, SIGKILL after `graceMs`). */
  async stopAll(graceMs = STOP_GRACE_MS): Promise<void> {
    await Promise.all([...this.#running].map((child) => child.stop(graceMs)));
  }

  /** Sends SIGKILL to every running child now (last resort when the stack itself exits). */
  killAll(): void {
    for (const child of this.#running) child.signal('SIGKILL');
  }
}

/** Options of {@link waitForReady}. */
export interface WaitForReadyOptions {
  /** URL that answers 200 once the process is ready, e.g. `http://127.0.0.1:8081/readyz`. */
  readonly url: string;
  /** Give up after this many milliseconds (default 30 000). */
  readonly timeoutMs?: number;
  /** Milliseconds between attempts (default 250). */
  readonly intervalMs?: number;
}

/** Polls `url` until it answers 200; throws a {@link StackError} with the child's last lines on exit or timeout. */
export async function waitForReady(child: ManagedProcess, options: WaitForReadyOptions): Promise<void> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const deadline = Date.now() + timeoutMs;
  let lastSeen = 'no answer';
  while (Date.now() < deadline) {
    if (!child.running) {
      const status = await child.exited;
      throw new StackError(`${child.name} exited before it was ready (${describeExit(status)}). Last output:\n${child.tail.render()}`);
    }
    try {
      const response = await fetch(options.url, { signal: AbortSignal.timeout(2_000) });
      await response.body?.cancel();
      if (response.status === 200) return;
      lastSeen = `HTTP ${response.status}`;
    } catch {
      lastSeen = 'no answer';
    }
    await sleep(options.intervalMs ?? 250);
  }
  throw new StackError(
    `${child.name} was not ready within ${Math.round(timeoutMs / 1000)} s: ${options.url} gave ${lastSeen}. ` + `Last output:\n${child.tail.render()}`,
  );
}

/** `exit code 1`, `signal SIGKILL`. */
export function describeExit(status: ExitStatus): string {
  return status.signal !== null ? `signal ${status.signal}` : `exit code ${status.code ?? 'unknown'}`;
}

async function pipeLines(stream: Readable | null, onLine: (line: string) => void): Promise<void> {
  if (stream === null) return;
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  for await (const line of lines) onLine(line);
}
