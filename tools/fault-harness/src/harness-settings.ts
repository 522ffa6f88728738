import path from 'node:path';
import { parseArgs } from 'node:util';

/** Every fault the harness knows, in the order it runs them. */
export const FAULT_NAMES = ['pg-restart', 'pg-outage', 'server-kill', 'redis-flush', 'hostile'] as const;

/** A fault's name. */
export type FaultName = (typeof FAULT_NAMES)[number];

/** The faults run when `--faults` is not given: all but the Redis flush, which destroys data and must be asked for. */
export const DEFAULT_FAULTS: readonly FaultName[] = ['pg-restart', 'pg-outage', 'server-kill', 'hostile'];

/** The domains whose databases the invariants read. */
export const DOMAINS = ['customer', 'order', 'product', 'payment'] as const;

/** What the harness was asked to do (command line over environment over the stack file over defaults). */
export interface HarnessSettings {
  /** The stack's data directory (`MCPFED_DATA_DIR`, default `<repo>/.data`): its `run/stack.json` and pid files. */
  readonly dataDir: string;
  /** `MCPFED_PORT_BASE` of the stack; undefined: from the stack file, else 8080. */
  readonly portBase: number | undefined;
  /** Database URL per domain given on the command line or in `DATABASE_URL_<DOMAIN>`. */
  readonly databaseUrls: Readonly<Partial<Record<(typeof DOMAINS)[number], string>>>;
  /** `--redis-url` / `REDIS_URL`. */
  readonly redisUrl: string | undefined;
  /** `--pg-data-dir`: a cluster the harness may restart with pg_ctl (default: the stack's embedded one). */
  readonly pgDataDir: string | undefined;
  /** `--pg-bin-dir`: where pg_ctl is (default: next to the binary running the cluster). */
  readonly pgBinDir: string | undefined;
  /** `--pg-admin-url`: a superuser URL; without a data dir the PostgreSQL faults terminate the servers' sessions. */
  readonly pgAdminUrl: string | undefined;
  /** The faults to run, in order. */
  readonly faults: readonly FaultName[];
  /** `--allow-redis-flush`: the operator agrees that FLUSHDB wipes the stack's Redis database. */
  readonly allowRedisFlush: boolean;
  /** Outage of `pg-outage`, in milliseconds. Default 10 000. */
  readonly outageMs: number;
  /** The server `server-kill` kills with SIGKILL. Default `order`. */
  readonly killServer: string;
  /** Load workers calling through the router at once. Default 4. */
  readonly concurrency: number;
  /** Load before the first fault, in milliseconds. Default 3000. */
  readonly warmupMs: number;
  /** How long a fault may take to recover before it counts as not recovered, in milliseconds. Default 60 000. */
  readonly recoverTimeoutMs: number;
  /**
   * How long open checkouts and the customer projection may take to settle after a fault, in milliseconds. Default
   * 200 000: a checkout whose payment call a fault cut waits out the payment server's 60 s operation lease and the
   * saga's backoff. The checks return as soon as they hold.
   */
  readonly settleMs: number;
  /** Hostile requests per second during `hostile`. Default 40. */
  readonly hostileRate: number;
  /** Length of the hostile burst, in milliseconds. Default 5000. */
  readonly hostileMs: number;
  /** Bearer token for the calls (`--token` / `MCPFED_TOKEN`); default: minted with the stack's dev issuer key. */
  readonly token: string | undefined;
  /** Also write the report as JSON to this file. */
  readonly jsonFile: string | undefined;
}

/** Usage text of `npm run faults`. */
export const HARNESS_USAGE = `usage: npm run faults -- [options]
  --faults LIST            comma-separated, in order: ${FAULT_NAMES.join(', ')} (default ${DEFAULT_FAULTS.join(',')})
  --allow-redis-flush      needed for redis-flush: FLUSHDB of the stack's Redis database (its queues and jobs!)
  --outage-ms N            PostgreSQL outage of pg-outage (default 10000)
  --kill NAME              server killed by server-kill: customer, order, product, payment or router (default order)
  --concurrency N          load workers (default 4)          --warmup-ms N   load before the first fault (default 3000)
  --recover-timeout-ms N   (default 60000)                    --settle-ms N   checkouts/projection bound (default 200000)
  --hostile-rate N         hostile requests per second (40)   --hostile-ms N  burst length (default 5000)
  --data-dir DIR           the stack's data dir (MCPFED_DATA_DIR, default .data): run/stack.json, pid files
  --port-base N            MCPFED_PORT_BASE of the stack (default: from run/stack.json, else 8080)
  --database-url-customer|order|product|payment URL   (DATABASE_URL_<DOMAIN>; default from run/stack.json)
  --redis-url URL          (REDIS_URL; default from run/stack.json)
  --pg-data-dir DIR        cluster to restart with pg_ctl (default: npm start's embedded one)
  --pg-bin-dir DIR         pg_ctl's folder (default: that of the running postgres binary)
  --pg-admin-url URL       superuser URL: without a data dir, PostgreSQL faults terminate the servers' sessions
  --token JWT              bearer token (MCPFED_TOKEN; default: minted with the stack's dev issuer key)
  --json FILE              also write the report as JSON
Exit codes: 0 every invariant held, 1 an invariant failed or a fault did not recover, 2 bad arguments or no stack.`;

/** A settings problem: the message for the operator (exit code 2). */
export class SettingsError extends Error {
  override readonly name = 'SettingsError';
}

/** Parses the command line and environment. Throws {@link SettingsError} for anything invalid. */
export function parseHarnessSettings(argv: readonly string[], env: Readonly<Record<string, string | undefined>>, repoRoot: string): HarnessSettings {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      options: {
        faults: { type: 'string' },
        'allow-redis-flush': { type: 'boolean' },
        'outage-ms': { type: 'string' },
        kill: { type: 'string' },
        concurrency: { type: 'string' },
        'warmup-ms': { type: 'string' },
        'recover-timeout-ms': { type: 'string' },
        'settle-ms': { type: 'string' },
        'hostile-rate': { type: 'string' },
        'hostile-ms': { type: 'string' },
        'data-dir': { type: 'string' },
        'port-base': { type: 'string' },
        'database-url-customer': { type: 'string' },
        'database-url-order': { type: 'string' },
        'database-url-product': { type: 'string' },
        'database-url-payment': { type: 'string' },
        'redis-url': { type: 'string' },
        'pg-data-dir': { type: 'string' },
        'pg-bin-dir': { type: 'string' },
        'pg-admin-url': { type: 'string' },
        token: { type: 'string' },
        json: { type: 'string' },
      },
    }));
  } catch (error) {
    throw new SettingsError(error instanceof Error ? error.message : String(error));
  }
  const text = (name: string, variable?: string): string | undefined => {
    const value = values[name] ?? (variable === undefined ? undefined : env[variable]);
    return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
  };
  const int = (name: string, fallback: number, min: number, max: number, variable?: string): number => {
    const raw = text(name, variable);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) throw new SettingsError(`--${name} must be a whole number from ${min} to ${max}, got "${raw}"`);
    return value;
  };
  const faults = (text('faults')
    ?.split(',')
    .map((name) => name.trim()) ?? DEFAULT_FAULTS) as FaultName[];
  for (const fault of faults) {
    if (!FAULT_NAMES.includes(fault)) throw new SettingsError(`unknown fault "${fault}"; known: ${FAULT_NAMES.join(', ')}`);
  }
  const allowRedisFlush = values['allow-redis-flush'] === true;
  if (faults.includes('redis-flush') && !allowRedisFlush) {
    throw new SettingsError(
      "redis-flush runs FLUSHDB on the stack's Redis database: every queued job and unconsumed event there is destroyed, " +
        'including those of anything else using that database. Pass --allow-redis-flush to agree, or leave redis-flush out.',
    );
  }
  const killServer = text('kill') ?? 'order';
  if (!['customer', 'order', 'product', 'payment', 'router'].includes(killServer))
    throw new SettingsError(`--kill must name a server of the stack, got "${killServer}"`);
  const portBaseText = text('port-base', 'MCPFED_PORT_BASE');
  const databaseUrls: Partial<Record<(typeof DOMAINS)[number], string>> = {};
  for (const domain of DOMAINS) {
    const url = text(`database-url-${domain}`, `DATABASE_URL_${domain.toUpperCase()}`);
    if (url !== undefined) databaseUrls[domain] = url;
  }
  return Object.freeze({
    dataDir: path.resolve(text('data-dir', 'MCPFED_DATA_DIR') ?? path.join(repoRoot, '.data')),
    portBase: portBaseText === undefined ? undefined : int('port-base', 8080, 1024, 65525, 'MCPFED_PORT_BASE'),
    databaseUrls,
    redisUrl: text('redis-url', 'REDIS_URL'),
    pgDataDir: text('pg-data-dir'),
    pgBinDir: text('pg-bin-dir'),
    pgAdminUrl: text('pg-admin-url'),
    faults,
    allowRedisFlush,
    outageMs: int('outage-ms', 10_000, 0, 600_000),
    killServer,
    concurrency: int('concurrency', 4, 1, 256),
    warmupMs: int('warmup-ms', 3000, 0, 600_000),
    recoverTimeoutMs: int('recover-timeout-ms', 60_000, 1000, 3_600_000),
    settleMs: int('settle-ms', 200_000, 0, 3_600_000),
    hostileRate: int('hostile-rate', 40, 1, 10_000),
    hostileMs: int('hostile-ms', 5000, 100, 600_000),
    token: text('token', 'MCPFED_TOKEN'),
    jsonFile: text('json'),
  });
}
