import type { FailureReason } from '@mcpfed/contract-order';
import { mapDatabaseError } from '@mcpfed/db';
import { AppError, toErrorPayload } from '@mcpfed/errors';
import { isRetryable } from '@mcpfed/resilience';
import type { StepError } from '../store/order-database.ts';

/** A refusal no retry can change: the checkout fails with this reason. */
export class CheckoutRefused extends Error {
  readonly reason: FailureReason;
  constructor(reason: FailureReason, message: string, cause?: unknown) {
    super(message, { cause });
    this.reason = reason;
  }
}

/** The saga row stopped running while a step ran (a cancel): the forward steps end, compensation follows. */
export class CheckoutInterrupted extends Error {
  constructor() {
    super('checkout interrupted');
  }
}

/** Whether a failure is worth retrying (network trouble, UPSTREAM_UNAVAILABLE, TIMEOUT, RATE_LIMITED, a retryable CONFLICT). */
export function isTransient(error: unknown): boolean {
  if (error instanceof CheckoutRefused) return false;
  return !AppError.is(error) || isRetryable(error);
}

/** Awaits an upstream call, turning the AppErrors `classify` recognises into refusals. */
export async function refusing<T>(call: Promise<T>, classify: (error: AppError) => CheckoutRefused | undefined): Promise<T> {
  try {
    return await call;
  } catch (error) {
    if (AppError.is(error)) throw classify(error) ?? error;
    throw error;
  }
}

/**
 * The failure as order_get and order_workflow_get may show it: a database error mapped like any tool's, anything
 * unexpected as the generic INTERNAL message. Driver messages, SQL and host names stay in the log.
 */
export function stepError(step: string, error: unknown): StepError {
  const { code, message } = toErrorPayload(mapDatabaseError(error));
  return { step, code, message: message.slice(0, 500) };
}

/** The failure's message as a client may see it (see {@link stepError}). */
export function errorMessage(error: unknown): string {
  return toErrorPayload(mapDatabaseError(error)).message;
}
