import { AppError } from '@mcpfed/errors';
import { isUpstreamFault } from '@mcpfed/federation';
import { CallerGoneError, createBulkhead, createCircuitBreaker } from '@mcpfed/resilience';
import type { BreakerState, CircuitBreaker, CircuitBreakerConfig, ResiliencePolicy } from '@mcpfed/resilience';

/** Settings of an {@link UpstreamIsolation}. */
export interface UpstreamIsolationConfig {
  /** Logical name of the upstream (errors). */
  name: string;
  /** Circuit breaker of calls to it. */
  breaker: CircuitBreakerConfig;
  /** Calls in flight to it at once; one more is refused at once. */
  concurrency: number;
}

/**
 * The isolation of one upstream's calls in the router: a circuit breaker outside a concurrency limit outside a
 * per-call timeout, without retry (a call the router forwards may not be idempotent).
 *
 * Only the upstream's own faults ({@link isUpstreamFault}: transport failures and 5xx answers) count for its
 * breaker. A 4xx answer (invalid params, an unknown task, a method it lacks, a refused token, a rate limit) or a
 * 202 is the upstream refusing or accepting this one request, and proves it alive. A timeout does not count
 * either: the timeout is the tool's published deadline plus a margin, so one slow tool must not take the upstream's
 * other tools down. A caller that went away never counts.
 */
export class UpstreamIsolation {
  readonly #name: string;
  readonly #breaker: CircuitBreaker;
  readonly #bulkhead: ResiliencePolicy;
  #inFlight = 0;

  constructor(config: UpstreamIsolationConfig) {
    this.#name = config.name;
    this.#breaker = createCircuitBreaker(config.breaker);
    this.#bulkhead = createBulkhead({ limit: config.concurrency });
  }

  /** The circuit breaker's state. */
  get breakerState(): BreakerState {
    return this.#breaker.state;
  }

  /** Calls in flight right now. */
  get inFlight(): number {
    return this.#inFlight;
  }

  /** Subscribes to breaker state changes. Returns the unsubscribe function. */
  onBreakerStateChange(listener: (state: BreakerState) => void): () => void {
    return this.#breaker.onStateChange(listener);
  }

  /**
   * Runs `fn` with a signal that aborts after `timeoutMs` (rejecting with TIMEOUT, details `{ upstream, timeout_ms }`)
   * or when `signal` aborts (rejecting with a {@link CallerGoneError}). An open breaker or a full concurrency limit
   * rejects with cockatiel's error, unconverted; any other failure rejects unchanged.
   */
  async run<T>(fn: (signal: AbortSignal) => Promise<T>, options: { timeoutMs: number; signal?: AbortSignal | undefined }): Promise<T> {
    this.#inFlight++;
    try {
      const settled = await this.#breaker.execute(async (s1): Promise<{ value: T } | { failure: unknown }> => {
        try {
          return { value: await this.#bulkhead.execute((s2) => this.#attempt(fn, options.timeoutMs, s2), s1) };
        } catch (error) {
          if (isUpstreamFault(error)) throw error;
          // Handed past the breaker as a value, so it does not count.
          return { failure: error };
        }
      }, options.signal);
      if ('failure' in settled) throw settled.failure;
      return settled.value;
    } finally {
      this.#inFlight--;
    }
  }

  async #attempt<T>(fn: (signal: AbortSignal) => Promise<T>, timeoutMs: number, callerSignal: AbortSignal): Promise<T> {
    const controller = new AbortController();
    // Created only when it fires: an Error captures a stack trace, too costly to build for every call.
    let timeout: AppError | undefined;
    const timer = setTimeout(() => {
      timeout = new AppError('TIMEOUT', `upstream "${this.#name}" did not answer within ${timeoutMs} ms`, {
        details: { upstream: this.#name, timeout_ms: timeoutMs },
      });
      controller.abort(timeout);
    }, timeoutMs);
    const onAbort = () => controller.abort(callerSignal.reason);
    callerSignal.addEventListener('abort', onAbort, { once: true });
    try {
      return await fn(controller.signal);
    } catch (error) {
      if (timeout !== undefined && controller.signal.reason === timeout) throw timeout;
      if (callerSignal.aborted) throw new CallerGoneError(callerSignal.reason, error);
      throw error;
    } finally {
      clearTimeout(timer);
      callerSignal.removeEventListener('abort', onAbort);
    }
  }
}
