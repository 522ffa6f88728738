import { AppError } from '@mcpfed/errors';
import pg from 'pg';
import { abortable } from './abortable.ts';
import { errorCodeOf, mapDatabaseError } from './map-database-error.ts';
import { integerOption } from './option-checks.ts';
import type { SqlClient, SqlPool, SqlTypeParsers } from './sql-pool.ts';

/** Options of {@link runReadOnlyQuery}. */
export interface RunReadOnlyQueryOptions {
  /** Most rows returned; more make `truncated: true`. Default 1000, at most 10000. */
  rowCap?: number;
  /** `statement_timeout` of the query, in milliseconds. Default 2000. */
  statementTimeoutMs?: number;
  /** Aborting stops waiting (rejects with `signal.reason`) and closes the connection. */
  signal?: AbortSignal;
}

/** One result column. */
export interface ReadOnlyQueryColumn {
  /** Column name as PostgreSQL reports it (`?column?` for an unnamed expression). */
  name: string;
  /** SQL type as `format_type` spells it: `integer`, `text`, `timestamp with time zone`, `numeric`... */
  type: string;
}

/**
 * The result of {@link runReadOnlyQuery}, in the snake_case wire shape a `<domain>_query_sql` tool returns.
 * Rows are arrays in column order (compact for a model to read, and exact when two columns share a name).
 * Values are JSON-safe: booleans, int2/int4/float/oid as numbers, json/jsonb parsed, those types' arrays as
 * arrays, and every other type (int8, numeric, dates and times, bytea, uuid...) as PostgreSQL's text form.
 */
export interface ReadOnlyQueryResult {
  columns: ReadOnlyQueryColumn[];
  rows: unknown[][];
  /** Rows returned (at most `rowCap`). */
  row_count: number;
  /** True when the query had more rows than `rowCap`; only the first `rowCap` are returned. */
  truncated: boolean;
}

const CURSOR_PREFIX = 'DECLARE mcpfed_query NO SCROLL CURSOR FOR ';

/** OIDs whose values keep pg's JavaScript parsing; everything else stays PostgreSQL text. */
const PARSED_TYPES: ReadonlySet<number> = new Set([
  16, // bool
  21, // int2
  23, // int4
  26, // oid
  700, // float4
  701, // float8
  114, // json
  3802, // jsonb
  1000, // bool[]
  1005, // int2[]
  1007, // int4[]
  1009, // text[]
  1015, // varchar[]
  1021, // float4[]
  1022, // float8[]
  199, // json[]
  3807, // jsonb[]
]);

const identity = (value: string): string => value;

const JSON_SAFE_TYPES: SqlTypeParsers = {
  getTypeParser: (oid) => (PARSED_TYPES.has(oid) ? (pg.types.getTypeParser(oid, 'text') as (value: string) => unknown) : identity),
};

/** Names of built-in types (OID below 16384), which are the same on every server. */
const builtinTypeNames = new Map<number, string>();

/**
 * Runs an analyst query accepted by `parseReadOnlyQuery` (pass its `sql`) — the second wall of the
 * `<domain>_query_sql` tools (docs/architecture.md §4). `pool` must connect as the least-privilege role made by
 * `ensureReadOnlyRole`, never as the app's owner role.
 *
 * It checks out one connection and runs `BEGIN READ ONLY`, `SET LOCAL statement_timeout`, then the query as a
 * cursor (`DECLARE ... CURSOR FOR <sql>` in the extended protocol, which accepts exactly one statement) and
 * `FETCH rowCap + 1` — so the query text runs unchanged (its ORDER BY and column names kept) and at most
 * `rowCap + 1` rows leave the server. It always ends with ROLLBACK.
 *
 * Errors: a statement timeout is AppError TIMEOUT ("the query ran longer than N ms"); missing privileges are
 * FORBIDDEN; mistakes in the query (unknown column, division by zero, bad cast...) are VALIDATION_FAILED with
 * `details { reason: 'query_error', sqlstate, position, near }` — never the server's message text;
 * connection failures are UPSTREAM_UNAVAILABLE.
 */
export async function runReadOnlyQuery(pool: SqlPool, sql: string, options: RunReadOnlyQueryOptions = {}): Promise<ReadOnlyQueryResult> {
  const where = 'runReadOnlyQuery';
  const rowCap = integerOption(where, 'rowCap', options.rowCap, 1000, 1, 10_000);
  const timeoutMs = integerOption(where, 'statementTimeoutMs', options.statementTimeoutMs, 2000, 1, 600_000);
  const signal = options.signal;
  signal?.throwIfAborted();

  const connecting = pool.connect();
  let client: SqlClient;
  try {
    client = await abortable(connecting, signal);
  } catch (error) {
    if (signal?.aborted) {
      // The checkout may still succeed after we stopped waiting: close that connection then.
      connecting.then(
        (late) => late.release(true),
        () => undefined,
      );
      throw signal.reason;
    }
    throw mapDatabaseError(error);
  }
  let destroy = false;
  try {
    return await abortable(query(client, sql, rowCap, timeoutMs), signal);
  } catch (error) {
    if (signal?.aborted) {
      destroy = true;
      throw signal.reason;
    }
    throw mapQueryError(error, sql, timeoutMs);
  } finally {
    await finish(client, destroy);
  }
}

async function query(client: SqlClient, sql: string, rowCap: number, timeoutMs: number): Promise<ReadOnlyQueryResult> {
  await client.query('BEGIN TRANSACTION READ ONLY');
  await client.query("SELECT set_config('statement_timeout', $1, true)", [String(timeoutMs)]);
  await client.query({ text: CURSOR_PREFIX + sql, queryMode: 'extended' });
  const fetched = await client.query<unknown[]>({
    text: `FETCH FORWARD ${rowCap + 1} FROM mcpfed_query`,
    rowMode: 'array',
    types: JSON_SAFE_TYPES,
  });
  const types = await typeNames(
    client,
    fetched.fields.map((field) => field.dataTypeID),
  );
  const truncated = fetched.rows.length > rowCap;
  const rows = truncated ? fetched.rows.slice(0, rowCap) : fetched.rows;
  return {
    columns: fetched.fields.map((field) => ({ name: field.name, type: types.get(field.dataTypeID) ?? 'unknown' })),
    rows,
    row_count: rows.length,
    truncated,
  };
}

async function typeNames(client: SqlClient, oids: number[]): Promise<Map<number, string>> {
  const names = new Map<number, string>();
  const missing = [...new Set(oids)].filter((oid) => {
    const known = builtinTypeNames.get(oid);
    if (known !== undefined) names.set(oid, known);
    return known === undefined;
  });
  if (missing.length === 0) return names;
  const result = await client.query<{ oid: number; name: string }>(
    'SELECT oid, format_type(oid, NULL) AS name FROM pg_catalog.pg_type WHERE oid = ANY($1::oid[])',
    [missing],
  );
  for (const row of result.rows) {
    names.set(row.oid, row.name);
    if (row.oid < 16384) builtinTypeNames.set(row.oid, row.name);
  }
  return names;
}

/**
 * Ends the transaction and returns the connection. One still running a query (after an abort) or whose
 * ROLLBACK fails is closed instead, so the pool never hands out a connection in an unknown state.
 */
async function finish(client: SqlClient, destroy: boolean): Promise<void> {
  if (!destroy) {
    try {
      await client.query('ROLLBACK');
      client.release();
      return;
    } catch {
      // fall through: the connection is unusable
    }
  }
  client.release(true);
}

/** Condition names of the SQLSTATEs an analyst's query commonly raises (PostgreSQL Appendix A). */
const CONDITIONS: Readonly<Record<string, string>> = {
  '42601': 'syntax error',
  '42703': 'undefined column',
  '42P01': 'undefined table',
  '42883': 'undefined function or operator (check the argument types)',
  '42702': 'ambiguous column',
  '42725': 'ambiguous function',
  '42803': 'grouping error (a column must appear in GROUP BY or be aggregated)',
  '42804': 'datatype mismatch',
  '42P10': 'invalid column reference',
  '42P18': 'indeterminate datatype',
  '42846': 'cannot cast between these types',
  '22012': 'division by zero',
  '22P02': 'invalid text representation (a value cannot be read as the target type)',
  '22003': 'numeric value out of range',
  '22007': 'invalid datetime format',
  '22008': 'datetime field overflow',
  '22001': 'string too long for the type',
  '21000': 'cardinality violation (a subquery used as an expression returned more than one row)',
  '2201W': 'invalid LIMIT value',
  '2201X': 'invalid OFFSET value',
  '54001': 'statement too complex',
};

function mapQueryError(error: unknown, sql: string, timeoutMs: number): unknown {
  const code = errorCodeOf(error) ?? '';
  if (code === '57014') {
    return new AppError('TIMEOUT', `The query ran longer than ${timeoutMs} ms and was cancelled; narrow it or aggregate.`, {
      details: { statement_timeout_ms: timeoutMs },
      cause: error,
    });
  }
  if (code === '42501' || code === '25006') {
    return new AppError('FORBIDDEN', 'The query needs a privilege the read-only SQL role does not have.', {
      details: { sqlstate: code },
      cause: error,
    });
  }
  if (/^(2[12]|42|54)/.test(code)) {
    const position = positionIn(error, sql);
    return new AppError('VALIDATION_FAILED', `The query failed: ${CONDITIONS[code] ?? `SQLSTATE ${code}`}.`, {
      details: {
        reason: 'query_error',
        sqlstate: code,
        position,
        near: position === null ? null : sql.slice(position - 1, position + 29),
      },
      cause: error,
    });
  }
  return mapDatabaseError(error);
}

/** The server's error position (1-based characters) translated from the cursor statement back into `sql`. */
function positionIn(error: unknown, sql: string): number | null {
  const raw = Number((error as { position?: unknown }).position);
  if (!Number.isInteger(raw)) return null;
  const position = raw - CURSOR_PREFIX.length;
  return position >= 1 && position <= sql.length ? position : null;
}
