import { ExponentialBackoff, decorrelatedJitterGenerator, handleWhen, retry } from 'cockatiel';
import { isRetryable } from './is-retryable.ts';
import type { ResiliencePolicy } from './resilience-policy.ts';

/** Settings of a retry policy (static configuration). */
export interface RetryConfig {
  /** Total attempts, the first one included (1 = never retry). Default 3. */
  maxAttempts?: number;
  /** Scale of the first backoff delay, in milliseconds (decorrelated jitter: the actual delay varies). Default 100. */
  initialDelayMs?: number;
  /** Upper bound of any single backoff delay, in milliseconds. Default 5000. */
  maxDelayMs?: number;
}

/** Options of {@link createRetryPolicy}: the settings plus which failures to retry. */
export interface RetryPolicyOptions extends RetryConfig {
  /** Which failures are worth another attempt. Default {@link isRetryable}. */
  shouldRetry?: (error: unknown) => boolean;
}

function nonNegative(name: string, value: number): number {
  if (!Number.isFinite(value) || value < 0) throw new RangeError(`${name} must be a non-negative number of milliseconds, got ${value}`);
  return value;
}

/**
 * A retry policy: exponential backoff with decorrelated jitter (cockatiel's ExponentialBackoff with
 * `decorrelatedJitterGenerator`), retrying only failures `shouldRetry` accepts — by default only
 * {@link isRetryable} ones, so a VALIDATION_FAILED or CONFLICT is tried exactly once. It stops when
 * the caller's signal aborts. Only retry calls that are safe to repeat (reads, or writes carrying an
 * idempotency key).
 */
export function createRetryPolicy(options: RetryPolicyOptions = {}): ResiliencePolicy {
  const maxAttempts = options.maxAttempts ?? 3;
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1) throw new RangeError(`maxAttempts must be an integer >= 1, got ${maxAttempts}`);
  const initialDelay = nonNegative('initialDelayMs', options.initialDelayMs ?? 100);
  const maxDelay = nonNegative('maxDelayMs', options.maxDelayMs ?? 5000);
  const policy = retry(handleWhen(options.shouldRetry ?? isRetryable), {
    // cockatiel counts retries after the first attempt, ours counts attempts.
    maxAttempts: maxAttempts - 1,
    backoff: new ExponentialBackoff({ generator: decorrelatedJitterGenerator, initialDelay, maxDelay }),
  });
  return {
    execute<T>(fn: (signal: AbortSignal) => Promise<T>, signal?: AbortSignal): Promise<T> {
      return policy.execute(({ signal: inner }) => fn(inner), signal);
    },
  };
}
