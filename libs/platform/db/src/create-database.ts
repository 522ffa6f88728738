import { AppError, optionSchemas, parseOptions } from '@mcpfed/errors';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { z } from 'zod';
import { abortable } from './abortable.ts';
import type { SqlPool } from './sql-pool.ts';

/** Static settings of one PostgreSQL connection pool (one per database role a server uses). */
export interface DatabaseConfig {
  /** `postgres://user[:password]@host[:port]/database[?sslmode=...]`. Never logged or echoed in errors. */
  connectionString: string;
  /** Shown in `pg_stat_activity.application_name` (at most 63 characters), e.g. `customer-server`. */
  applicationName: string;
  /** Maximum open connections. Default 10. */
  max?: number;
  /**
   * Server-side `statement_timeout` of every connection, in milliseconds; 0 disables it. Default 5000.
   * A statement running longer is cancelled by PostgreSQL (57014, mapped to TIMEOUT).
   */
  statementTimeoutMs?: number;
  /** How long an idle connection stays open before the pool closes it, in milliseconds. Default 10000. */
  idleTimeoutMs?: number;
  /** How long to wait for a new connection before failing, in milliseconds. Default 5000. */
  connectTimeoutMs?: number;
  /**
   * Called when an open connection fails outside a query's own result (the server restarted, a failover,
   * `pg_terminate_backend`, a network reset), whether the connection was idle in the pool or checked out.
   * Default: ignore it. Either way the failure never reaches the process as an unhandled `'error'` event: a
   * query running on that connection rejects (mapped to UPSTREAM_UNAVAILABLE by `mapDatabaseError`), the pool
   * drops the connection when it is released, and the next query opens a new one.
   */
  onConnectionError?: (error: Error) => void;
}

/** What {@link createDatabase} returns: a Kysely instance over a pg pool, plus health and shutdown. */
export interface Database<DB> {
  /** The typed query builder. */
  readonly db: Kysely<DB>;
  /** The pool behind `db`, for raw SQL, the read-only SQL tool and pool metrics. */
  readonly pool: DatabasePool;
  /**
   * Runs `SELECT 1` (for `/readyz`). Rejects with AppError UPSTREAM_UNAVAILABLE when the database cannot
   * answer (the host name stays in `cause`), or with `signal.reason` when `signal` aborts first.
   */
  ping(signal?: AbortSignal): Promise<void>;
  /** Closes every connection. Idempotent. */
  close(): Promise<void>;
}

/** The part of `pg.Pool` a {@link Database} exposes: queries, checkouts and the gauges for `/metrics`. */
export interface DatabasePool extends SqlPool {
  /** Open connections, idle or busy. */
  readonly totalCount: number;
  /** Open connections not checked out. */
  readonly idleCount: number;
  /** Callers waiting for a connection. */
  readonly waitingCount: number;
  /** Closes every connection; the pool cannot be used afterwards. */
  end(): Promise<void>;
}

const databaseOptions = z.object({
  connectionString: optionSchemas.stringMatching(/^postgres(?:ql)?:\/\/\S+$/, 'a postgres:// URL'),
  applicationName: optionSchemas.stringMatching(/^[\x20-\x7e]{1,63}$/, '1-63 printable ASCII characters'),
  max: optionSchemas.integerBetween(1, 1000, 10),
  statementTimeoutMs: optionSchemas.integerBetween(0, 86_400_000, 5000),
  idleTimeoutMs: optionSchemas.integerBetween(0, 86_400_000, 10_000),
  connectTimeoutMs: optionSchemas.integerBetween(1, 600_000, 5000),
  onConnectionError: z.custom<(error: Error) => void>((value) => typeof value === 'function', { error: 'must be a function.' }).optional(),
});

/**
 * Opens a pg pool and a `Kysely<DB>` over it. Nothing connects until the first query.
 *
 * ```ts
 * const database = createDatabase<CustomerDb>({ connectionString: config.DATABASE_URL, applicationName: 'customer-server' });
 * await database.ping();
 * ```
 */
export function createDatabase<DB>(options: DatabaseConfig): Database<DB> {
  const { connectionString, applicationName, max, statementTimeoutMs, idleTimeoutMs, connectTimeoutMs, ...given } = parseOptions(
    'createDatabase',
    databaseOptions,
    options,
  );
  const onConnectionError = given.onConnectionError ?? (() => undefined);

  const pool = new pg.Pool({
    connectionString,
    application_name: applicationName,
    max,
    // Sent as a startup parameter, so it holds for every connection without an extra round trip.
    statement_timeout: statementTimeoutMs,
    idleTimeoutMillis: idleTimeoutMs,
    connectionTimeoutMillis: connectTimeoutMs,
  });
  // pg-pool listens on a connection only while it is idle; a checked-out one (a transaction waiting on the app, a
  // query under way) that loses its server emits 'error' with nobody listening, which kills the process. A
  // listener for the connection's whole life closes that gap; the pool's own one still drops idle connections.
  pool.on('connect', (client) => client.on('error', onConnectionError));
  pool.on('error', onConnectionError);
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
  const sqlPool: DatabasePool = pool;
  let closing: Promise<void> | undefined;

  return Object.freeze({
    db,
    pool: sqlPool,
    async ping(signal?: AbortSignal): Promise<void> {
      try {
        await abortable(pool.query('SELECT 1'), signal);
      } catch (error) {
        if (signal?.aborted) throw signal.reason;
        throw new AppError('UPSTREAM_UNAVAILABLE', 'The database is unavailable.', { cause: error });
      }
    },
    close(): Promise<void> {
      closing ??= (async () => {
        // Kysely ends the pool only if it ever used it; end it ourselves otherwise.
        await db.destroy();
        if (!pool.ended && !pool.ending) await pool.end();
      })();
      return closing;
    },
  });
}
