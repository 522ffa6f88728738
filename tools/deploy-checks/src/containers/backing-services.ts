import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { appendFile, chmod, chown, mkdir, readdir } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { runCommand } from '../run-command.ts';
import { lastLines } from './docker-engine.ts';
import { freePortOn, isRunning, spawnLogged, stopChild, waitForPort } from './host-process.ts';

/** The PostgreSQL database and owner role of one domain. */
export interface DomainDatabase {
  /** `postgres://mcpfed_<domain>:<password>@<host>:<port>/mcpfed_<domain>` as the containers reach it. */
  readonly url: string;
}

/** A PostgreSQL and a Redis of this run, reachable from the containers of its network and nothing else. */
export interface BackingServices {
  /** Database per domain, each with its own owner role and password. */
  readonly databases: Readonly<Record<string, DomainDatabase>>;
  /** `redis://:<password>@<host>:<port>`. */
  readonly redisUrl: string;
  /** Stops both. */
  stop(): Promise<void>;
}

/** Options of {@link startBackingServices}. */
export interface BackingServicesOptions {
  /** The gateway address of the run's bridge network: both listen there only. */
  readonly host: string;
  /** The bridge network's subnet (CIDR): the only clients PostgreSQL accepts over TCP. */
  readonly subnet: string;
  /** Scratch folder of this run. */
  readonly dir: string;
  /** Domains to make a database for. */
  readonly domains: readonly string[];
  readonly log: (line: string) => void;
}

/**
 * Starts a private PostgreSQL (the host's Debian binaries, as the `postgres` user, a fresh cluster in `dir`) and a
 * private Redis (password, `noeviction`, no persistence), both bound to the bridge gateway: the containers reach
 * them as they would reach managed services, and the shared instances on 127.0.0.1 are not touched. Each domain gets
 * `mcpfed_<domain>` (database and owner role with a password; CREATEROLE, which `migrate` needs for the read-only
 * SQL role), like a managed database's application user.
 */
export async function startBackingServices(options: BackingServicesOptions): Promise<BackingServices> {
  const started: ChildProcess[] = [];
  const stop = async (): Promise<void> => {
    for (const child of started.reverse()) await stopChild(child, 'SIGINT', 20_000);
  };
  try {
    const postgres = await startPostgres(options, started);
    const redisUrl = await startRedis(options, started);
    return { databases: postgres, redisUrl, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function startPostgres(options: BackingServicesOptions, started: ChildProcess[]): Promise<Record<string, DomainDatabase>> {
  const bin = await postgresBinDir();
  const ids = await systemUser('postgres');
  const dataDir = path.join(options.dir, 'postgres');
  const socketDir = path.join(options.dir, 'postgres-socket');
  for (const dir of [dataDir, socketDir]) {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    await chown(dir, ids.uid, ids.gid);
  }
  // The cluster's user must traverse the run folder (mkdtemp makes it 0700).
  await chmod(options.dir, 0o711);
  const logFile = path.join(options.dir, 'postgres.log');
  await appendFile(logFile, '');
  await chown(logFile, ids.uid, ids.gid);
  const initdb = await runCommand(
    'runuser',
    [
      '-u',
      'postgres',
      '--',
      path.join(bin, 'initdb'),
      '-D',
      dataDir,
      '-U',
      'postgres',
      '--auth-local=trust',
      '--auth-host=scram-sha-256',
      '--encoding=UTF8',
      '--no-sync',
    ],
    {
      timeoutMs: 120_000,
    },
  );
  if (initdb.code !== 0) throw new Error(`initdb failed: ${lastLines(initdb.stderr || initdb.stdout, 5)}`);
  await appendFile(path.join(dataDir, 'pg_hba.conf'), `host all all ${options.subnet} scram-sha-256\n`);
  const port = await freePortOn(options.host);
  const server = spawnLogged(
    path.join(bin, 'postgres'),
    [
      '-D',
      dataDir,
      '-p',
      String(port),
      '-c',
      `listen_addresses=${options.host}`,
      '-c',
      `unix_socket_directories=${socketDir}`,
      '-c',
      'fsync=off',
      '-c',
      'max_connections=200',
    ],
    { logFile, uid: ids.uid, gid: ids.gid },
  );
  started.push(server);
  await waitForPort(options.host, port, 60_000, 'PostgreSQL', () => isRunning(server));

  const admin = await connectWhenReady(
    () => new pg.Client({ host: socketDir, port, user: 'postgres', database: 'postgres' }),
    60_000,
    () => isRunning(server),
  );
  const databases: Record<string, DomainDatabase> = {};
  try {
    for (const domain of options.domains) {
      const name = `mcpfed_${domain}`;
      const password = randomBytes(18).toString('hex');
      await admin.query(`CREATE ROLE ${name} LOGIN CREATEROLE PASSWORD '${password}'`);
      await admin.query(`CREATE DATABASE ${name} OWNER ${name}`);
      databases[domain] = { url: `postgres://${name}:${password}@${options.host}:${port}/${name}` };
    }
  } finally {
    await admin.end();
  }
  options.log(`PostgreSQL (${path.basename(path.dirname(bin))}) on ${options.host}:${port}: ${options.domains.map((domain) => `mcpfed_${domain}`).join(', ')}`);
  return databases;
}

async function startRedis(options: BackingServicesOptions, started: ChildProcess[]): Promise<string> {
  const password = randomBytes(18).toString('hex');
  const port = await freePortOn(options.host);
  const dir = path.join(options.dir, 'redis');
  await mkdir(dir, { recursive: true });
  const server = spawnLogged(
    'redis-server',
    [
      '--bind',
      options.host,
      '--port',
      String(port),
      '--requirepass',
      password,
      '--maxmemory-policy',
      'noeviction',
      '--save',
      '',
      '--appendonly',
      'no',
      '--dir',
      dir,
    ],
    { logFile: path.join(options.dir, 'redis.log') },
  );
  started.push(server);
  await waitForPort(options.host, port, 30_000, 'Redis', () => isRunning(server));
  options.log(`Redis on ${options.host}:${port} (password, noeviction)`);
  return `redis://:${password}@${options.host}:${port}`;
}

/**
 * A connected client once PostgreSQL takes connections: it listens before it has finished starting up and refuses
 * connections until then (57P03, "the database system is starting up").
 */
async function connectWhenReady(client: () => pg.Client, timeoutMs: number, alive: () => boolean): Promise<pg.Client> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const candidate = client();
    candidate.on('error', () => undefined);
    try {
      await candidate.connect();
      return candidate;
    } catch (error) {
      await candidate.end().catch(() => undefined);
      if (!alive() || Date.now() > deadline) throw error;
      await sleep(200);
    }
  }
}

/** The newest `/usr/lib/postgresql/<major>/bin` (Debian's layout), or PG_BIN_DIR. */
async function postgresBinDir(): Promise<string> {
  if (process.env['PG_BIN_DIR'] !== undefined) return process.env['PG_BIN_DIR'];
  const majors = await readdir('/usr/lib/postgresql').catch(() => [] as string[]);
  const newest = majors.filter((name) => /^\d+$/.test(name)).sort((a, b) => Number(b) - Number(a))[0];
  if (newest === undefined) throw new Error('no PostgreSQL server binaries in /usr/lib/postgresql (apt-get install postgresql, or set PG_BIN_DIR)');
  return path.join('/usr/lib/postgresql', newest, 'bin');
}

async function systemUser(name: string): Promise<{ uid: number; gid: number }> {
  const [uid, gid] = await Promise.all([runCommand('id', ['-u', name]), runCommand('id', ['-g', name])]);
  if (uid.code !== 0 || gid.code !== 0) throw new Error(`no system user ${name} to run PostgreSQL as`);
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}
