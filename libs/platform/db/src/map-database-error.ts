import { AppError } from '@mcpfed/errors';

/**
 * The fields of a `pg` DatabaseError (or a Node socket error) this module reads. Every one is optional so a
 * plain `Error` is one too.
 */
interface DriverErrorFields {
  code?: unknown;
  message?: unknown;
}

/** Node and DNS error codes meaning "the database could not be reached". */
const NETWORK_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

/**
 * SQLSTATEs meaning the server cannot serve us right now: connection exceptions (class 08), invalid
 * authorization (class 28), a missing database (3D000), too many connections (53300) and shutdowns (57P01-57P03).
 */
function isConnectionSqlState(code: string): boolean {
  return code.startsWith('08') || code.startsWith('28') || code === '3D000' || code === '53300' || code === '57P01' || code === '57P02' || code === '57P03';
}

/** `pg` reports some connection failures as plain Errors without a code; these are their messages. */
const CONNECTION_MESSAGE =
  /^(Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Client was closed|Cannot use a pool after calling end)/;

/** The SQLSTATE of a `pg` error, or the Node error code of a socket error; undefined for anything else. */
export function errorCodeOf(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const code = (error as DriverErrorFields).code;
  return typeof code === 'string' ? code : undefined;
}

/** True when `error` says the database is unreachable (refused, reset, shut down, out of connections). */
export function isConnectionError(error: unknown): boolean {
  const code = errorCodeOf(error);
  if (code !== undefined && (NETWORK_CODES.has(code) || (/^[0-9A-Z]{5}$/.test(code) && isConnectionSqlState(code)))) {
    return true;
  }
  const message = error instanceof Error ? error.message : undefined;
  return message !== undefined && CONNECTION_MESSAGE.test(message);
}

/**
 * Maps a driver error to an {@link AppError} in one place, so repositories and services never switch on
 * SQLSTATEs themselves. The driver's message (which may hold SQL, values or host names) is never copied into
 * the AppError message, and no internal name (constraint, table) reaches the caller; the original error travels
 * as `cause` for the log (log it through `loggableError`).
 *
 * | driver error | AppError |
 * |---|---|
 * | 57014 query_canceled (statement_timeout) | TIMEOUT |
 * | 23505 unique_violation | CONFLICT, details `{ reason: 'unique_violation' }` |
 * | 40001 serialization_failure, 40P01 deadlock_detected | CONFLICT, retryable |
 * | 23514 check_violation | PRECONDITION_FAILED, details `{ reason: 'check_violation' }` |
 * | 25006 read_only_sql_transaction | FORBIDDEN |
 * | connection refused/reset/terminated, class 08/28, 3D000, 53300, 57P01-03 | UPSTREAM_UNAVAILABLE |
 *
 * An AppError and anything else are returned unchanged (the caller rethrows; `mcp-runtime` turns the unknown
 * into INTERNAL). Use as `catch (err) { throw mapDatabaseError(err) }`.
 */
export function mapDatabaseError(error: unknown): unknown {
  if (AppError.is(error)) return error;
  const code = errorCodeOf(error);
  switch (code) {
    case '57014':
      return new AppError('TIMEOUT', 'The database statement took too long and was cancelled.', { cause: error });
    case '23505':
      return new AppError(
        'CONFLICT',
        'A record with the same unique key already exists: read it instead of creating it again, or change the value that must be unique.',
        {
          details: { reason: 'unique_violation' },
          cause: error,
        },
      );
    case '40001':
    case '40P01':
      return new AppError('CONFLICT', 'The change conflicted with a concurrent change; retry it.', {
        details: { sqlstate: code },
        retryable: true,
        cause: error,
      });
    case '23514':
      return new AppError(
        'PRECONDITION_FAILED',
        'The change violates a rule on the stored data (e.g. a quantity or amount out of its allowed range); read the current state and adjust the request.',
        {
          details: { reason: 'check_violation' },
          cause: error,
        },
      );
    case '25006':
      return new AppError('FORBIDDEN', 'Writing is not allowed in a read-only transaction.', { cause: error });
  }
  if (isConnectionError(error)) {
    return new AppError('UPSTREAM_UNAVAILABLE', 'The database is unavailable.', { cause: error });
  }
  return error;
}
