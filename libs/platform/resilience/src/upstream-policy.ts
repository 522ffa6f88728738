import { isBrokenCircuitError } from 'cockatiel';
import { createBulkhead } from './bulkhead.ts';
import { CallerGoneError } from './caller-gone-error.ts';
import { cancellationError } from './cancellation-error.ts';
import { createCircuitBreaker } from './circuit-breaker.ts';
import type { BreakerState, CircuitBreakerConfig } from './circuit-breaker.ts';
import { isRetryable } from './is-retryable.ts';
import { raceAbort } from './race-abort.ts';
import type { ResiliencePolicy } from './resilience-policy.ts';
import { createRetryPolicy } from './retry-policy.ts';
import type { RetryConfig } from './retry-policy.ts';
import { createTimeout } from './timeout.ts';
import { toAppError } from './to-app-error.ts';

/** Settings of the policy guarding calls to one upstream (static configuration). */
export interface UpstreamPolicyConfig {
  /** Logical name of the upstream (`customer`, `payment`): named in errors and metrics. Required, non-empty. */
  name: string;
  /** Timeout of each attempt, in milliseconds. Default 5000. */
  timeoutMs?: number;
  /**
   * Retry settings, or `false` for no retry. Default `{}` (3 attempts, 100 ms initial delay, 5000 ms
   * maximum delay). Retry only calls that are safe to repeat: reads, and writes carrying an idempotency key.
   */
  retry?: RetryConfig | false;
  /**
   * Circuit breaker settings. Default `{}` (opens after 5 consecutive upstream failures, lets a trial call through
   * after 10000 ms, or as soon as its `probe` succeeds when one is given).
   */
  breaker?: CircuitBreakerConfig;
  /** Calls allowed in flight to this upstream at once; one more is rejected at once. Default: unlimited. */
  concurrency?: number;
}

/** The resilience policy of one upstream, shared by every call to it (the breaker state lives here). */
export interface UpstreamPolicy {
  /** The upstream's logical name. */
  readonly name: string;
  /** The circuit breaker's current state. */
  readonly breakerState: BreakerState;
  /** Subscribes to breaker state changes (for the breaker-state metric). Returns the unsubscribe function. */
  onBreakerStateChange(listener: (state: BreakerState) => void): () => void;
  /**
   * Runs `fn` under retry -> circuit breaker -> concurrency limit -> timeout. Policy failures always
   * reject with an AppError: TIMEOUT for an expired attempt, UPSTREAM_UNAVAILABLE for an open breaker
   * (with `retry_after_ms`), a full concurrency limit or a network error. An AppError thrown by `fn`
   * (e.g. the upstream's NOT_FOUND) rejects unchanged; other errors too, for the runtime to log. When
   * `signal` aborts, the call rejects at once (with the signal's reason if it is an AppError, such as
   * a {@link withDeadline} TIMEOUT) and the work's signal aborts.
   * @param fn The call to the upstream. Pass `signal` on to its I/O.
   * @param signal The caller's signal (request cancellation, tool deadline).
   */
  execute<T>(fn: (signal: AbortSignal) => Promise<T>, signal?: AbortSignal): Promise<T>;
  /** Stops the breaker's readiness probes (on shutdown). */
  close(): void;
}

/**
 * The composition used per upstream by the federation client (the router composes breaker, bulkhead and a
 * per-call timeout itself, without retry: a call it forwards may not be idempotent):
 * retry (outermost) -> circuit breaker -> bulkhead -> timeout (innermost).
 *
 * Why this order:
 * - Retry outside the breaker: every attempt passes through the breaker, so each failure is counted,
 *   and once the breaker opens the remaining attempts stop (an open-breaker rejection is not retried
 *   within the call — the half-open probe is what tests recovery; the caller gets a retryable
 *   UPSTREAM_UNAVAILABLE with `retry_after_ms`). Backoff waits hold no concurrency slot.
 * - Breaker outside the bulkhead: while open, calls fail fast without taking or queueing for a slot,
 *   and a full bulkhead (this process protecting itself) is not an upstream failure, so it never
 *   opens the breaker.
 * - Bulkhead outside the timeout: the timeout bounds how long one call holds a slot, and its clock
 *   starts when the call actually runs, not while it waits for a slot.
 * - Timeout innermost: it applies to each attempt, and its expiry is an upstream failure the breaker
 *   counts and the retry may repeat.
 */
export function createUpstreamPolicy(options: UpstreamPolicyConfig): UpstreamPolicy {
  const name = options.name;
  if (typeof name !== 'string' || name.length === 0) throw new TypeError('name must be a non-empty string');
  if (options.concurrency !== undefined && (!Number.isInteger(options.concurrency) || options.concurrency < 1)) {
    throw new RangeError(`concurrency must be an integer >= 1, got ${options.concurrency}`);
  }
  const timeout = createTimeout(options.timeoutMs ?? 5000);
  const bulkhead: ResiliencePolicy | undefined = options.concurrency === undefined ? undefined : createBulkhead({ limit: options.concurrency });
  const breaker = createCircuitBreaker(options.breaker);
  const retry: ResiliencePolicy | undefined =
    options.retry === false ? undefined : createRetryPolicy({ ...options.retry, shouldRetry: (error) => isRetryable(error) && !isBrokenCircuitError(error) });

  return Object.freeze({
    name,
    get breakerState(): BreakerState {
      return breaker.state;
    },
    onBreakerStateChange(listener: (state: BreakerState) => void): () => void {
      return breaker.onStateChange(listener);
    },
    close(): void {
      breaker.dispose();
    },
    execute<T>(fn: (signal: AbortSignal) => Promise<T>, signal?: AbortSignal): Promise<T> {
      if (signal?.aborted) return Promise.reject(cancellationError(signal.reason));
      // Each layer hands the caller's signal down unchanged, so `callerSignal` here is the caller's.
      const attempt = (callerSignal: AbortSignal): Promise<T> =>
        timeout.execute(fn, callerSignal).catch((error: unknown) => {
          throw callerSignal.aborted ? new CallerGoneError(callerSignal.reason, error) : error;
        });
      const limited = bulkhead === undefined ? attempt : (s: AbortSignal) => bulkhead.execute(attempt, s);
      const guarded = (s?: AbortSignal): Promise<T> => breaker.execute(limited, s);
      const run = retry === undefined ? guarded(signal) : retry.execute(guarded, signal);
      const work = run.catch((error: unknown) => {
        throw error instanceof CallerGoneError ? cancellationError(error.reason) : toAppError(error, name);
      });
      return signal === undefined ? work : raceAbort(work, signal);
    },
  });
}
