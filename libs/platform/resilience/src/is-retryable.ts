import { AppError } from '@mcpfed/errors';
import { isBrokenCircuitError, isBulkheadRejectedError, isTaskCancelledError } from 'cockatiel';

/** Node socket and DNS error codes that mean "the other side could not be reached right now". */
const TRANSIENT_NETWORK_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
]);

/**
 * undici's error codes for a failed transport. Its other `UND_ERR_*` codes are programming or caller
 * errors (`UND_ERR_INVALID_ARG`, `UND_ERR_NOT_SUPPORTED`, `UND_ERR_ABORTED` when the caller aborted,
 * `UND_ERR_RES_EXCEEDED_MAX_SIZE`…) that an identical retry would only repeat.
 */
const TRANSIENT_UNDICI_CODES: ReadonlySet<string> = new Set([
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

/** Causes are followed at most this deep; a cycle in `cause` must not hang the check. */
const MAX_CAUSE_DEPTH = 5;

function hasTransientCode(error: object): boolean {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && (TRANSIENT_NETWORK_CODES.has(code) || TRANSIENT_UNDICI_CODES.has(code));
}

/**
 * True when `error` is a failure to reach another system over the network: a Node socket error
 * (ECONNREFUSED, ECONNRESET, ETIMEDOUT, EPIPE, …), an undici transport error (UND_ERR_SOCKET,
 * UND_ERR_CONNECT_TIMEOUT, …) or fetch's `TypeError: fetch failed`, also when wrapped as a `cause`
 * or inside an AggregateError (Node's happy-eyeballs connect).
 */
export function isNetworkError(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; depth < MAX_CAUSE_DEPTH && typeof current === 'object' && current !== null; depth++) {
    if (hasTransientCode(current)) return true;
    if (current instanceof TypeError && current.message === 'fetch failed') return true;
    if (current instanceof AggregateError && current.errors.some((inner) => isNetworkError(inner))) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

/**
 * Whether repeating the same call unchanged may succeed.
 * - An {@link AppError} (recognised by its brand) answers with its own `retryable` flag.
 * - cockatiel's TaskCancelledError (timeout), BrokenCircuitError (breaker open) and
 *   BulkheadRejectedError (concurrency limit) are transient.
 * - Network errors ({@link isNetworkError}) are transient.
 * - Anything else (a bug, a driver's constraint violation, a parse error) is not.
 */
export function isRetryable(error: unknown): boolean {
  if (AppError.is(error)) return error.retryable;
  if (isTaskCancelledError(error) || isBrokenCircuitError(error) || isBulkheadRejectedError(error)) return true;
  return isNetworkError(error);
}

/** The AppError codes by which an upstream says it cannot serve right now. */
const UNHEALTHY_CODES: ReadonlySet<string> = new Set(['UPSTREAM_UNAVAILABLE', 'TIMEOUT']);

/**
 * Whether a failure says something about the upstream's health, so that a circuit breaker should
 * count it: a timeout, a network failure, or an AppError UPSTREAM_UNAVAILABLE or TIMEOUT. Any other
 * answer proves the upstream is alive, retryable or not: a CONFLICT "retry with the same key" or a
 * RATE_LIMITED concerns one key or one caller, and counting it would shut every caller out. A bulkhead
 * rejection or an open breaker is this process protecting itself, not an upstream failure.
 */
export function isUpstreamFailure(error: unknown): boolean {
  if (AppError.is(error)) return UNHEALTHY_CODES.has(error.code);
  return isRetryable(error) && !isBulkheadRejectedError(error) && !isBrokenCircuitError(error);
}
