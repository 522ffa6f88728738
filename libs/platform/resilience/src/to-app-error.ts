import { AppError } from '@mcpfed/errors';
import { isBrokenCircuitError, isBulkheadRejectedError, isTaskCancelledError } from 'cockatiel';
import { isNetworkError } from './is-retryable.ts';
import { AttemptTimeoutError, CircuitOpenError } from './policy-errors.ts';

function label(upstream: string | undefined): string {
  return upstream === undefined ? 'the upstream' : `upstream "${upstream}"`;
}

function withUpstream(upstream: string | undefined, details: Record<string, unknown> = {}): Record<string, unknown> {
  return upstream === undefined ? details : { upstream, ...details };
}

/**
 * Converts a failure of a resilience policy into the mcpfed error a caller sees; anything else is
 * returned unchanged (an AppError keeps its code; an unexpected error stays unexpected so that the
 * runtime logs it and answers INTERNAL).
 * - cockatiel TaskCancelledError (a timeout) -> `TIMEOUT` (details `{ upstream, timeout_ms }` when known)
 * - BrokenCircuitError (breaker open) -> `UPSTREAM_UNAVAILABLE` with details `{ upstream, retry_after_ms }`
 * - BulkheadRejectedError -> `UPSTREAM_UNAVAILABLE` ("concurrency limit reached")
 * - a network error ({@link isNetworkError}) -> `UPSTREAM_UNAVAILABLE`; its message never carries the
 *   host or port of the failed connection (those stay in `cause`, which is logged, never sent)
 * @param error Anything thrown.
 * @param upstream Logical name of the called system (`customer`, `payment`), named in message and details.
 */
export function toAppError(error: unknown, upstream?: string): unknown {
  if (AppError.is(error)) return error;
  if (isBrokenCircuitError(error)) {
    const retryAfterMs = error instanceof CircuitOpenError ? error.retryAfterMs : undefined;
    return new AppError(
      'UPSTREAM_UNAVAILABLE',
      retryAfterMs === undefined
        ? `${label(upstream)} is temporarily unavailable (circuit open)`
        : `${label(upstream)} is temporarily unavailable (circuit open); retry in ${retryAfterMs} ms`,
      {
        details: withUpstream(upstream, retryAfterMs === undefined ? {} : { retry_after_ms: retryAfterMs }),
        cause: error,
      },
    );
  }
  if (isBulkheadRejectedError(error)) {
    return new AppError('UPSTREAM_UNAVAILABLE', `${label(upstream)} is busy: concurrency limit reached`, {
      details: withUpstream(upstream),
      cause: error,
    });
  }
  if (isTaskCancelledError(error)) {
    const timeoutMs = error instanceof AttemptTimeoutError ? error.timeoutMs : undefined;
    return new AppError(
      'TIMEOUT',
      timeoutMs === undefined ? `${label(upstream)} did not answer in time` : `${label(upstream)} did not answer within ${timeoutMs} ms`,
      { details: withUpstream(upstream, timeoutMs === undefined ? {} : { timeout_ms: timeoutMs }), cause: error },
    );
  }
  if (isNetworkError(error)) {
    return new AppError('UPSTREAM_UNAVAILABLE', `${label(upstream)} could not be reached`, {
      details: withUpstream(upstream),
      cause: error,
    });
  }
  return error;
}
