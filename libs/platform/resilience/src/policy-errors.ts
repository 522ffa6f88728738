import { BrokenCircuitError, TaskCancelledError } from 'cockatiel';

/**
 * cockatiel's BrokenCircuitError, carrying how long the breaker stays open so that `toAppError` can
 * tell the caller when to come back (`retry_after_ms`). Thrown by {@link createCircuitBreaker}.
 */
export class CircuitOpenError extends BrokenCircuitError {
  /** Milliseconds until the breaker lets a probe call through. */
  readonly retryAfterMs: number;

  constructor(retryAfterMs: number) {
    super();
    this.retryAfterMs = retryAfterMs;
  }
}

/**
 * cockatiel's TaskCancelledError, carrying the timeout that expired. Thrown by {@link createTimeout}
 * when its own timer (not the caller) cancelled the work.
 */
export class AttemptTimeoutError extends TaskCancelledError {
  /** The timeout that expired, in milliseconds. */
  readonly timeoutMs: number;

  constructor(timeoutMs: number, cause: unknown) {
    super(`Operation timed out after ${timeoutMs}ms`);
    this.timeoutMs = timeoutMs;
    this.cause = cause;
  }
}
