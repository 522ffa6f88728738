import type { ServiceTokenSource } from '@mcpfed/auth';
import { AppError } from '@mcpfed/errors';
import type { CircuitBreakerConfig, RetryConfig } from '@mcpfed/resilience';
import type { Logger, Metrics, Tracing } from '@mcpfed/telemetry';

/** Settings of {@link createFederationClient} (static configuration, one client per upstream). */
export interface FederationClientConfig {
  /** The upstream's logical name (`customer`, `product`, `payment`): named in errors, logs and metric labels. */
  name: string;
  /** Its MCP endpoint, e.g. `http://127.0.0.1:8081/mcp` (http or https). */
  url: string;
  /** Where the service token sent to the upstream comes from (@mcpfed/auth). */
  tokens: ServiceTokenSource;
  /**
   * `aud` of the tokens sent: the upstream's resource identifier, which it accepts as its own `AUTH_AUDIENCE` (RFC 8707
   * `resource`). Default `url` (a server's audience is its `<PUBLIC_URL>/mcp`); set it when the client reaches the
   * upstream through another address (a proxy).
   */
  audience?: string;
  logger: Logger;
  /**
   * Metrics of the calling service: `federation_calls_total{upstream,tool,outcome}`,
   * `federation_call_duration_seconds{upstream,tool,outcome}` and `upstream_breaker_state{upstream}`
   * (0 closed, 1 half-open, 2 open). Default: none recorded.
   */
  metrics?: Metrics;
  /** Traces each call as a `client` span whose context is sent downstream. Default: the caller's traceparent is forwarded as is. */
  tracing?: Tracing;
  /** Timeout of each attempt, in milliseconds. Default 5000. */
  timeoutMs?: number;
  /**
   * Retry of retryable failures (UPSTREAM_UNAVAILABLE, TIMEOUT, RATE_LIMITED) with the same arguments, or
   * `false`. Default `{}`: 3 attempts, 100 ms initial backoff, 5000 ms maximum. A write is safe to retry only
   * with an idempotency key in its arguments.
   */
  retry?: RetryConfig | false;
  /**
   * Circuit breaker. Default `{}`: opens after 5 consecutive upstream failures; while open, `GET <origin>/readyz` of
   * the upstream every `probeIntervalMs` (250), and the first call after a 200 is the trial that closes it again (at
   * the latest one goes through after `halfOpenAfterMs`, 10000). `probe` replaces the readiness check.
   */
  breaker?: CircuitBreakerConfig;
  /** Calls in flight to this upstream at once (also the size of the connection pool); one more fails at once. Default 64. */
  concurrency?: number;
}

/**
 * Checks a {@link FederationClientConfig} and resolves its defaults.
 * @throws AppError VALIDATION_FAILED naming the first invalid setting.
 */
export function validateFederationClientConfig(config: FederationClientConfig): { timeoutMs: number; concurrency: number } {
  const invalid = (message: string): never => {
    throw new AppError('VALIDATION_FAILED', `createFederationClient: ${message}`);
  };
  if (typeof config.name !== 'string' || !/^[a-z][a-z0-9-]*$/.test(config.name)) invalid('name must match [a-z][a-z0-9-]*');
  if (typeof config.url !== 'string' || !URL.canParse(config.url) || !/^https?:$/.test(new URL(config.url).protocol))
    invalid(`url of upstream ${config.name} must be an absolute http(s) URL`);
  if (typeof config.tokens?.token !== 'function') invalid('tokens must be a ServiceTokenSource');
  if (config.audience !== undefined && (typeof config.audience !== 'string' || config.audience.length === 0)) invalid('audience must be a non-empty string');
  const timeoutMs = config.timeoutMs ?? 5000;
  if (!Number.isSafeInteger(timeoutMs) || timeoutMs < 1) invalid('timeoutMs must be an integer >= 1');
  const concurrency = config.concurrency ?? 64;
  if (!Number.isSafeInteger(concurrency) || concurrency < 1) invalid('concurrency must be an integer >= 1');
  return { timeoutMs, concurrency };
}
