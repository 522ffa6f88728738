import { CircuitState, ConsecutiveBreaker, circuitBreaker, handleWhen, isBrokenCircuitError } from 'cockatiel';
import type { IBackoff } from 'cockatiel';
import { isUpstreamFailure } from './is-retryable.ts';
import { CircuitOpenError } from './policy-errors.ts';
import type { ResiliencePolicy } from './resilience-policy.ts';

/** State of a circuit breaker, as exported to metrics. */
export type BreakerState = 'closed' | 'open' | 'half-open';

/** Settings of a circuit breaker (static configuration). */
export interface CircuitBreakerConfig {
  /** Consecutive upstream failures that open the breaker. Default 5. */
  consecutiveFailures?: number;
  /**
   * The longest the breaker stays open before it lets one trial call through, in milliseconds. Default 10000.
   * With a {@link CircuitBreakerConfig.probe} the trial goes through as soon as a probe succeeds, usually much sooner.
   */
  halfOpenAfterMs?: number;
  /**
   * A cheap health check of the upstream (e.g. `GET /readyz`), run every `probeIntervalMs` while the breaker is open;
   * it resolves when the upstream looks able to serve and rejects otherwise. Once it resolves, the next call is let
   * through as the trial (its success closes the breaker, its failure opens it again), so calls recover within about
   * one probe interval of the upstream's return instead of waiting out `halfOpenAfterMs`. Default: none.
   */
  probe?: (signal: AbortSignal) => Promise<void>;
  /** Milliseconds between probes while open (each probe may take as long). Default 250. */
  probeIntervalMs?: number;
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
  /** Stops probing (on shutdown). The breaker keeps working, without probes. */
  dispose(): void;
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
 * once with a BrokenCircuitError carrying `retryAfterMs`; one trial call goes through after `halfOpenAfterMs`,
 * or as soon as the optional `probe` says the upstream is back, and its success closes the breaker again (its
 * failure re-opens it). While open, the upstream sees at most one probe per `probeIntervalMs` and one trial call
 * per successful probe: the protection stays, the wait after a recovery goes.
 */
export function createCircuitBreaker(options: CircuitBreakerConfig = {}): CircuitBreaker {
  const threshold = options.consecutiveFailures ?? 5;
  const halfOpenAfterMs = options.halfOpenAfterMs ?? 10_000;
  const probeIntervalMs = options.probeIntervalMs ?? 250;
  if (!Number.isInteger(threshold) || threshold < 1) throw new RangeError(`consecutiveFailures must be an integer >= 1, got ${threshold}`);
  if (!Number.isFinite(halfOpenAfterMs) || halfOpenAfterMs < 0) throw new RangeError(`halfOpenAfterMs must be a non-negative number, got ${halfOpenAfterMs}`);
  if (!Number.isFinite(probeIntervalMs) || probeIntervalMs < 1) throw new RangeError(`probeIntervalMs must be a positive number, got ${probeIntervalMs}`);

  const probing = options.probe === undefined ? undefined : startProbing(options.probe, probeIntervalMs);
  // cockatiel reads the open period's `duration` on every call while open: a successful probe turns it to 0, so the
  // next call becomes the trial at once. A fresh period (and a fresh probe cycle) starts with every opening.
  const openPeriod: IBackoff<unknown> = {
    get duration() {
      return probing?.ready === true ? 0 : halfOpenAfterMs;
    },
    next: () => openPeriod,
  };
  const policy = circuitBreaker(handleWhen(isUpstreamFailure), {
    breaker: new ConsecutiveBreaker(threshold),
    halfOpenAfter: openPeriod,
  });
  // cockatiel keeps the opening time private; recorded here so a rejection can say when to come back.
  let openedAt = 0;
  policy.onStateChange((state) => {
    if (state === CircuitState.Open) {
      openedAt = Date.now();
      probing?.begin();
    } else {
      probing?.end();
    }
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
      return policy
        .execute(({ signal: inner }) => fn(inner), signal)
        .catch((error: unknown) => {
          if (!isBrokenCircuitError(error)) throw error;
          const untilTrial = Math.max(0, openedAt + halfOpenAfterMs - Date.now());
          throw new CircuitOpenError(probing === undefined ? untilTrial : Math.min(untilTrial, probeIntervalMs));
        });
    },
    dispose(): void {
      probing?.stop();
    },
  };
}

/** The probe loop of an open breaker: `ready` once a probe of the current open period succeeded. */
interface Probing {
  readonly ready: boolean;
  /** The breaker opened: forget earlier results, probe every interval until one succeeds. */
  begin(): void;
  /** The breaker half-opened or closed: stop probing. */
  end(): void;
  /** For good (shutdown). */
  stop(): void;
}

function startProbing(probe: (signal: AbortSignal) => Promise<void>, intervalMs: number): Probing {
  let ready = false;
  let cycle = 0;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let inFlight: AbortController | undefined;

  const schedule = (current: number): void => {
    timer = setTimeout(() => void attempt(current), intervalMs);
    timer.unref();
  };
  const attempt = async (current: number): Promise<void> => {
    inFlight = new AbortController();
    const timeout = setTimeout(() => inFlight?.abort(), intervalMs * 4);
    timeout.unref();
    let healthy = false;
    try {
      await probe(inFlight.signal);
      healthy = true;
    } catch {
      // still down: probe again after the interval
    } finally {
      clearTimeout(timeout);
      inFlight = undefined;
    }
    if (stopped || current !== cycle) return;
    if (healthy) ready = true;
    else schedule(current);
  };
  const end = (): void => {
    cycle += 1;
    clearTimeout(timer);
    inFlight?.abort();
  };
  return {
    get ready() {
      return ready;
    },
    begin() {
      end();
      ready = false;
      if (!stopped) schedule(cycle);
    },
    end,
    stop() {
      stopped = true;
      end();
    },
  };
}
