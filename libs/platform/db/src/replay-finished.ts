import { AppError, isErrorCode } from '@mcpfed/errors';
import type { ClaimedOperationFailure, ClaimedOperationRow } from './claimed-operation-store.ts';

/**
 * The outcome of a finished operation, for a retry with the same key: a succeeded one's stored response with
 * `replayed: true`; a failed one's stored refusal, thrown again ({@link replayedFailure}). Undefined while it is
 * pending (or, defensively, finished without its outcome stored): the caller must finish it.
 */
export function replayFinished(op: Pick<ClaimedOperationRow, 'status' | 'response' | 'error'>): Record<string, unknown> | undefined {
  if (op.status === 'succeeded' && op.response !== null) return { ...op.response, replayed: true };
  if (op.status === 'failed' && op.error !== null) throw replayedFailure(op.error);
  return undefined;
}

/** The stored failure of an operation as the error thrown again for a retry with the same key (`details.replayed`). */
export function replayedFailure(failure: ClaimedOperationFailure): AppError {
  return new AppError(isErrorCode(failure.code) ? failure.code : 'INTERNAL', failure.message, {
    details: { ...failure.details, replayed: true },
    retryable: false,
  });
}

/** What a failed operation stores of the refusal its caller got: code, message and details. */
export function failureOf(error: AppError): ClaimedOperationFailure {
  return { code: error.code, message: error.message, ...(error.details === undefined ? {} : { details: error.details }) };
}
