import type { Registry } from 'prom-client';
import type { GaugeCollector } from './gauge-collector.ts';

/** Outcome of a tool call: `ok`, or `error` for any failure (an AppError or an unexpected throw). */
export type ToolOutcome = 'ok' | 'error';

/** The rendered metrics page for `GET /metrics`. */
export interface MetricsPage {
  /** Value for the `Content-Type` response header (Prometheus text format 0.0.4). */
  readonly contentType: string;
  /** The exposition text. */
  readonly body: string;
}

/**
 * The metrics of one service. Names (see the package README):
 * - `mcp_tool_calls_total{tool,outcome}`, `mcp_tool_errors_total{tool,code}`,
 *   `mcp_tool_duration_seconds{tool,outcome}` (histogram, {@link TOOL_DURATION_BUCKETS});
 * - `mcp_http_requests_total{method,status}`;
 * - `federation_calls_total{upstream,tool,outcome}`, `federation_call_duration_seconds{upstream,tool,outcome}`
 *   (calls to other servers, see {@link Metrics.observeUpstreamCall});
 * - gauges registered through {@link Metrics.gauge}, e.g. `db_pool_connections{pool,state}`.
 */
export interface Metrics {
  /**
   * The prom-client registry behind these metrics, for a metric type this interface does not offer.
   * Prefer the methods below: they keep names and label cardinality under this library's control.
   */
  readonly registry: Registry;
  /**
   * Records one finished tool call: counts it, observes its duration and, for `error`, counts the error
   * under `code`. Codes outside the closed set of `@mcpfed/errors` are counted as `OTHER`; a missing
   * code as `INTERNAL`. A negative or non-finite duration is not observed (the call is still counted).
   *
   * @param seconds wall-clock duration of the call, in seconds.
   */
  observeToolCall(tool: string, outcome: ToolOutcome, seconds: number, code?: string): void;
  /**
   * Counts one answered HTTP request. `method` is upper-cased; methods other than GET, POST, PUT, PATCH,
   * DELETE, HEAD and OPTIONS are counted as `OTHER`; a status outside 100..599 as `other`.
   */
  observeHttp(method: string, status: number): void;
  /**
   * Records one finished call to another server's tool (the federation client): counts it in
   * `federation_calls_total{upstream,tool,outcome}` and observes `federation_call_duration_seconds{upstream,tool,outcome}`
   * ({@link TOOL_DURATION_BUCKETS}). `outcome` is `ok` or the failure's error code; codes outside the closed set
   * of `@mcpfed/errors` are counted as `OTHER`. Tool names share the `maxTools` cap of the tool metrics.
   *
   * @param upstream the upstream's logical name (`customer`, `payment`): a handful per process.
   * @param seconds wall-clock duration of the call including retries, in seconds.
   */
  observeUpstreamCall(upstream: string, tool: string, outcome: string, seconds: number): void;
  /**
   * Declares a gauge whose series are read by `collect` on every scrape (no timers). Idempotent per
   * name: a second call with the same name and label names adds its collector to the same gauge (each
   * pool, queue or breaker registers its own). Series not reported in a scrape disappear from it.
   * Returns a function that removes this collector.
   *
   * @throws AppError VALIDATION_FAILED when `name` exists with other label names or as another metric type.
   */
  gauge(name: string, help: string, labelNames: readonly string[], collect: GaugeCollector): () => void;
  /** Collects the gauges and renders the whole registry for `GET /metrics`. */
  render(): Promise<MetricsPage>;
}
