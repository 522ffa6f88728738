import { spawn } from 'node:child_process';
import { existsSync, openSync, readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { runCommand } from '../run-command.ts';
import type { CommandResult } from '../run-command.ts';
import { CannotRunHereError } from './cannot-run-here-error.ts';
import { stopChild, unmountBelow } from './host-process.ts';

/** A Docker engine this run started for itself, and the CLI pointed at it. */
export interface DockerEngine {
  /** `unix://…/docker.sock` (DOCKER_HOST of every command of this run). */
  readonly host: string;
  /** The storage driver the engine runs with (`overlay2`, or `vfs` where overlay mounts are refused). */
  readonly storageDriver: string;
  /** Server version as the engine reports it. */
  readonly version: string;
  /** Runs `docker …args` against this engine; never rejects. */
  run(args: readonly string[], options?: EngineCommandOptions): Promise<CommandResult>;
  /** Like {@link DockerEngine.run}, but rejects with the command and its last output unless it exits 0; resolves with stdout, trimmed. */
  ok(args: readonly string[], options?: EngineCommandOptions): Promise<string>;
  /** Stops the engine (its containers were removed first by the caller) and waits for it. */
  stop(): Promise<void>;
}

/** Options of one docker command. */
export interface EngineCommandOptions {
  /** Kill it after this many milliseconds. Default 120000. */
  readonly timeoutMs?: number;
  readonly stdin?: string;
  /**
   * A cleanup command: it runs even after the run gave up ({@link DockerEngineOptions.signal} aborted). Any other
   * command then fails at once (code -1), so that the steps stop while the cleanup works. Default false.
   */
  readonly cleanup?: boolean;
}

/** Options of {@link startPrivateDockerEngine}. */
export interface DockerEngineOptions {
  /** A fresh folder only this run uses: data root, exec root, socket, pid file and the engine's log live here. */
  readonly dir: string;
  /** Namespace of the engine's containerd objects, unique to this run (a system containerd, if dockerd adopts one, keeps its own apart). */
  readonly namespace: string;
  /** Lines of progress. */
  readonly log: (line: string) => void;
  /**
   * Aborted when the run gives up (timeout, Ctrl-C): commands running then are killed (a build is cancelled), and
   * only cleanup commands run afterwards.
   */
  readonly signal: AbortSignal;
}

/** Storage drivers in the order they are tried: overlay2 (fast) and vfs (works wherever the kernel refuses overlay mounts). */
const STORAGE_DRIVERS = ['overlay2', 'vfs'] as const;
const START_TIMEOUT_MS = 60_000;

/**
 * Starts `dockerd` as a private engine: its own data root, exec root, socket and pid file under `dir`, no iptables
 * rules, no default bridge (`--bridge=none`; the run makes its own user-defined network). A system engine, if any,
 * is never addressed: every command names this engine's socket. Tries overlay2, then vfs.
 * The docker CLI is the one Debian's docker.io installs next to dockerd (`/usr/bin/docker`, BuildKit built in)
 * unless DOCKER_CLI names another.
 */
export async function startPrivateDockerEngine(options: DockerEngineOptions): Promise<DockerEngine> {
  const cli = process.env['DOCKER_CLI'] ?? (existsSync('/usr/bin/docker') ? '/usr/bin/docker' : 'docker');
  const socket = path.join(options.dir, 'docker.sock');
  const host = `unix://${socket}`;
  const env = { DOCKER_HOST: host, DOCKER_BUILDKIT: '1', DOCKER_CONFIG: path.join(options.dir, 'cli-config'), DOCKER_CONTEXT: '' };
  const run = async (args: readonly string[], runOptions: EngineCommandOptions = {}): Promise<CommandResult> => {
    const cleanup = runOptions.cleanup === true;
    if (options.signal.aborted && !cleanup) return { code: -1, stdout: '', stderr: 'the run gave up' };
    return runCommand(cli, args, {
      env,
      timeoutMs: runOptions.timeoutMs ?? 120_000,
      ...(runOptions.stdin === undefined ? {} : { stdin: runOptions.stdin }),
      ...(cleanup ? {} : { signal: options.signal }),
    });
  };
  const ok = async (args: readonly string[], runOptions: EngineCommandOptions = {}) => {
    const result = await run(args, runOptions);
    if (result.code !== 0) throw new Error(`docker ${args.join(' ')} exited ${result.code}: ${lastLines(result.stderr || result.stdout, 15)}`);
    return result.stdout.trim();
  };
  await mkdir(env.DOCKER_CONFIG, { recursive: true });

  const failures: string[] = [];
  for (const driver of STORAGE_DRIVERS) {
    const logFile = path.join(options.dir, `dockerd-${driver}.log`);
    const dataRoot = path.join(options.dir, `data-${driver}`);
    const execRoot = path.join(options.dir, 'exec');
    const child = spawn(
      'dockerd',
      [
        `--storage-driver=${driver}`,
        '--iptables=false',
        '--ip6tables=false',
        '--bridge=none',
        `--data-root=${dataRoot}`,
        `--exec-root=${execRoot}`,
        `--pidfile=${path.join(options.dir, 'docker.pid')}`,
        `--containerd-namespace=${options.namespace}`,
        `--containerd-plugins-namespace=${options.namespace}-plugins`,
        '-H',
        host,
      ],
      { stdio: ['ignore', openSync(logFile, 'a'), openSync(logFile, 'a')], detached: false },
    );
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.once('error', () => undefined);
    const version = await waitForEngine(run, exited, START_TIMEOUT_MS);
    if (version !== undefined) {
      const stop = async (): Promise<void> => {
        await stopChild(child, 'SIGTERM', 30_000);
        // dockerd unmounts its layers on a clean stop; after a kill, stale mounts would keep the folder from being removed.
        await unmountBelow(options.dir);
      };
      options.log(`private Docker engine ${version} (storage driver ${driver}) on ${socket}`);
      return { host, storageDriver: driver, version, run, ok, stop };
    }
    failures.push(`${driver}: ${lastLines(readLog(logFile), 5)}`);
    await stopChild(child, 'SIGKILL', 10_000);
    await unmountBelow(options.dir);
  }
  throw new CannotRunHereError(`could not start a private Docker engine: ${failures.join(' | ')}`);
}

/** The server version once `docker version` answers; undefined when dockerd exits or does not answer in time. */
async function waitForEngine(run: DockerEngine['run'], exited: Promise<number | null>, timeoutMs: number): Promise<string | undefined> {
  let gone = false;
  void exited.then(() => (gone = true));
  const deadline = Date.now() + timeoutMs;
  while (!gone && Date.now() < deadline) {
    const result = await run(['version', '--format', '{{.Server.Version}}'], { timeoutMs: 5000 });
    if (result.code === 0 && result.stdout.trim() !== '') return result.stdout.trim();
    await sleep(300);
  }
  return undefined;
}

function readLog(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

/** The last `count` non-empty lines of `text`, joined with ` / ` (one line for a report). */
export function lastLines(text: string, count: number): string {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
    .slice(-count)
    .join(' / ');
}
