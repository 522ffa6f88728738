import { CircuitState, ConsecutiveBreaker, circuitBreaker, handleWhen, isBrokenCircuitError } from 'cockatiel';
import { isUpstreamFailure } from './is-retryable.ts';
import { CircuitOpenError } from './policy-errors.ts';
import type { ResiliencePolicy } from './resilience-policy.ts';

/** State of a circuit breaker, as exported to metrics. */
export type BreakerState = 'closed' | 'open' | 'half-open';

/** Settings of a circuit breaker (static configuration). */
export interface CircuitBreakerConfig {
  /** Consecutive upstream failures that open the breaker. Default 5. */
  consecutiveFailures?: number;
  /** How long the breaker stays open before it lets one probe call through, in milliseconds. Default 10000. */
  halfOpenAfterMs?: number;
}

/** A circuit breaker that reports its state. */
export interface CircuitBreaker extends ResiliencePolicy {
  /**
   * The current state. An open breaker stays `open` until the first call after `halfOpenAfterMs`
   * arrives, which turns it `half-open` while it probes the upstream.
   */
  readonly state: BreakerState;
  /** Subscribes to state changes (for a breaker-state metric). Returns the unsubscribe function. */
  onStateChange(listener: (state: BreakerState) => void): () => void;
}

function toBreakerState(state: CircuitState): BreakerState {
  switch (state) {
    case CircuitState.Closed:
      return 'closed';
    case CircuitState.HalfOpen:
      return 'half-open';
    default:
      // Isolated is a manual hold-open; this library does not offer it, but it blocks calls like Open.
      return 'open';
  }
}

/**
 * A consecutive-failure circuit breaker (cockatiel's ConsecutiveBreaker). Only upstream failures
 * count ({@link isUpstreamFailure}: timeouts, network errors, retryable AppErrors): a NOT_FOUND or
 * VALIDATION_FAILED answer proves the upstream is alive and never opens it. While open it rejects at
 * once with a BrokenCircuitError carrying `retryAfterMs`; after `halfOpenAfterMs` one probe call goes
 * through, and its success closes the breaker again (its failure re-opens it).
 */
export function createCircuitBreaker(options: CircuitBreakerConfig = {}): CircuitBreaker {
  const threshold = options.consecutiveFailures ?? 5;
  const halfOpenAfterMs = options.halfOpenAfterMs ?? 10_000;
  if (!Number.isInteger(threshold) || threshold < 1) throw new RangeError(`consecutiveFailures must be an integer >= 1, got ${threshold}`);
  if (!Number.isFinite(halfOpenAfterMs) || halfOpenAfterMs < 0) throw new RangeError(`halfOpenAfterMs must be a non-negative number, got ${halfOpenAfterMs}`);

  const policy = circuitBreaker(handleWhen(isUpstreamFailure), {
    breaker: new ConsecutiveBreaker(threshold),
    halfOpenAfter: halfOpenAfterMs,
  });
  // cockatiel keeps the opening time private; recorded here so a rejection can say when to come back.
  let openedAt = 0;
  policy.onStateChange((state) => {
    if (state === CircuitState.Open) openedAt = Date.now();
  });

  return {
    get state(): BreakerState {
      return toBreakerState(policy.state);
    },
    onStateChange(listener: (state: BreakerState) => void): () => void {
      const subscription = policy.onStateChange((state) => listener(toBreakerState(state)));
      return () => subscription.dispose();
    },
    execute<T>(fn: (signal: AbortSignal) => Promise<T>, signal?: AbortSignal): Promise<T> {
      return policy.execute(({ signal: inner }) => fn(inner), signal).catch((error: unknown) => {
        if (!isBrokenCircuitError(error)) throw error;
        throw new CircuitOpenError(Math.max(0, openedAt + halfOpenAfterMs - Date.now()));
      });
    },
  };
}
