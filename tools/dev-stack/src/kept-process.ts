import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { StackError } from './stack-error.ts';
import { describeExit, waitForReady } from './supervisor.ts';
import type { ExitStatus, ManagedProcess, ProcessSpec, Supervisor } from './supervisor.ts';

/** When and how often a crashed server is started again. */
export interface RestartPolicy {
  /** Delay before the first restart after a crash, in milliseconds. Doubles with each further fast failure. Default 500. */
  readonly initialDelayMs: number;
  /** Longest delay between restarts, in milliseconds. Default 10 000. */
  readonly maxDelayMs: number;
  /**
   * A run shorter than this (or one that never became ready) is a fast failure, in milliseconds; a longer run
   * resets the count. Default 30 000.
   */
  readonly stableAfterMs: number;
  /** Consecutive fast failures after which the server is left down (with a message saying so). Default 5. */
  readonly maxFastFailures: number;
}

/** The restart policy of `npm start`'s servers. */
export const DEFAULT_RESTART_POLICY: RestartPolicy = Object.freeze({
  initialDelayMs: 500,
  maxDelayMs: 10_000,
  stableAfterMs: 30_000,
  maxFastFailures: 5,
});

/** Options of {@link KeptProcess}. */
export interface KeptProcessOptions {
  /** How to run it (every start uses the same spec). */
  readonly spec: ProcessSpec;
  /** URL answering 200 once it serves, e.g. `http://127.0.0.1:8081/readyz`. */
  readonly readyUrl: string;
  /** How long one start may take to become ready, in milliseconds. */
  readonly readyTimeoutMs: number;
  /** Receives the stack's own lines about crashes and restarts. */
  readonly note: (line: string) => void;
  /** File holding the pid of the running process (removed while it is down), for operators and the fault harness. */
  readonly pidFile?: string;
  /** Default {@link DEFAULT_RESTART_POLICY}. */
  readonly policy?: RestartPolicy;
}

/**
 * A long-running server that `npm start` keeps up: when it exits while the stack is not stopping, it is started
 * again after a backoff (0.5 s, 1 s, 2 s, … up to 10 s), each step said in the log (which server, exit code or
 * signal, attempt, next delay). After {@link RestartPolicy.maxFastFailures} runs in a row that crashed early it is
 * left down with a message naming the cause to look at; the rest of the stack keeps serving.
 */
export class KeptProcess {
  readonly #supervisor: Supervisor;
  readonly #options: KeptProcessOptions;
  readonly #policy: RestartPolicy;
  #current: ManagedProcess | undefined;
  #stopping = false;
  #fastFailures = 0;
  #restarts = 0;
  #timer: NodeJS.Timeout | undefined;
  #wake: (() => void) | undefined;
  #watching: Promise<void> | undefined;

  /** @param supervisor starts the processes (and kills them if the stack itself dies). */
  constructor(supervisor: Supervisor, options: KeptProcessOptions) {
    this.#supervisor = supervisor;
    this.#options = Object.freeze({ ...options });
    this.#policy = options.policy ?? DEFAULT_RESTART_POLICY;
  }

  /** The name of the service. */
  get name(): string {
    return this.#options.spec.name;
  }

  /** Pid of the running process, undefined while it is down. */
  get pid(): number | undefined {
    return this.#current?.running === true ? this.#current.pid : undefined;
  }

  /** How many times it was started again after a crash. */
  get restarts(): number {
    return this.#restarts;
  }

  /**
   * Starts it and waits until it is ready; from then on it is restarted when it crashes. Throws a StackError when
   * the first start fails (a configuration or migration problem a restart would not fix).
   */
  async start(): Promise<void> {
    const child = await this.#launch();
    this.#watching = this.#watch(child);
  }

  /** Stops it for good: cancels a pending restart, SIGTERM (SIGKILL after the grace period). */
  async stop(): Promise<void> {
    this.#stopping = true;
    clearTimeout(this.#timer);
    this.#wake?.();
    await this.#current?.stop();
    await this.#watching;
    this.#removePidFile();
  }

  async #launch(): Promise<ManagedProcess> {
    const child = this.#supervisor.start(this.#options.spec);
    this.#current = child;
    if (child.pid !== undefined) this.#writePidFile(child.pid);
    try {
      await waitForReady(child, { url: this.#options.readyUrl, timeoutMs: this.#options.readyTimeoutMs });
    } catch (error) {
      // Not ready in time: do not leave a half-started process holding the port.
      await child.stop();
      throw error;
    }
    return child;
  }

  async #watch(first: ManagedProcess): Promise<void> {
    let child: ManagedProcess | undefined = first;
    let startedAt = Date.now();
    let lastFailure = '';
    while (!this.#stopping) {
      if (child !== undefined) {
        const status: ExitStatus = await child.exited;
        if (this.#stopping) return;
        this.#removePidFile();
        const ranMs = Date.now() - startedAt;
        this.#fastFailures = ranMs < this.#policy.stableAfterMs ? this.#fastFailures + 1 : 1;
        lastFailure = `exited unexpectedly (${describeExit(status)}) after ${seconds(ranMs)}`;
      }
      if (this.#fastFailures >= this.#policy.maxFastFailures) {
        this.#options.note(
          `${this.name} ${lastFailure}; it failed ${this.#fastFailures} times in a row within ${seconds(this.#policy.stableAfterMs)} ` +
            `of starting, so it is left down (the rest of the stack keeps running). Fix the cause, then restart npm start. ` +
            `Last output:\n${(child ?? this.#current)?.tail.render() ?? ''}`,
        );
        return;
      }
      const delayMs = Math.min(this.#policy.maxDelayMs, this.#policy.initialDelayMs * 2 ** (this.#fastFailures - 1));
      this.#options.note(
        `${this.name} ${lastFailure}; restarting it in ${seconds(delayMs)} ` +
          `(attempt ${this.#fastFailures} of ${this.#policy.maxFastFailures}). Last output:\n${(child ?? this.#current)?.tail.render() ?? ''}`,
      );
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
        this.#timer = setTimeout(resolve, delayMs);
      });
      if (this.#stopping) return;
      startedAt = Date.now();
      try {
        child = await this.#launch();
        this.#restarts += 1;
        this.#options.note(`${this.name} is back (pid ${child.pid ?? '?'}, ready ${seconds(Date.now() - startedAt)} after its restart)`);
      } catch (error) {
        if (this.#stopping) return;
        child = undefined;
        this.#fastFailures += 1;
        lastFailure = `did not come back: ${error instanceof StackError ? error.message.split('\n')[0] : String(error)}`;
      }
    }
  }

  #writePidFile(pid: number): void {
    const file = this.#options.pidFile;
    if (file === undefined) return;
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, `${pid}\n`);
  }

  #removePidFile(): void {
    if (this.#options.pidFile !== undefined) rmSync(this.#options.pidFile, { force: true });
  }
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}
