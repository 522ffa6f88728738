import { UnrecoverableError } from 'bullmq';
import { AppError } from '@mcpfed/errors';
import { isRetryable } from '@mcpfed/resilience';

/**
 * Classifies a job failure for BullMQ (docs/conventions.md, Errors: queue workers): a failure that retrying cannot fix
 * (a business or validation error, or a non-transient AppError) becomes `UnrecoverableError`, so the job
 * fails at once; a transient one (UPSTREAM_UNAVAILABLE, TIMEOUT, RATE_LIMITED, network errors) is rethrown
 * for BullMQ's backoff. Errors that are neither (plain bugs) are retried too: a deploy may fix them.
 */
export function toJobError(error: unknown): Error {
  if (AppError.is(error) && !isRetryable(error)) {
    const unrecoverable = new UnrecoverableError(`${error.code}: ${error.message}`);
    unrecoverable.cause = error;
    return unrecoverable;
  }
  return error instanceof Error ? error : new Error(String(error));
}
