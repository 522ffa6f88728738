import { isErrorCode } from '@mcpfed/errors';
import { Histogram } from 'prom-client';
import type { Counter, Registry } from 'prom-client';
import type { GaugeCollector } from './gauge-collector.ts';
import type { Metrics, MetricsPage, ToolOutcome } from './metrics.ts';
import { PromGauges } from './prom-gauges.ts';
import { registeredCounter, registeredMetric } from './registered-metric.ts';
import { TOOL_DURATION_BUCKETS } from './tool-duration-buckets.ts';

const OTHER_TOOL = '_other';
const HTTP_METHODS: ReadonlySet<string> = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS']);

interface Inc {
  inc(): void;
}
interface Observe {
  observe(value: number): void;
}
interface OutcomeSeries {
  readonly calls: Inc;
  readonly duration: Observe;
}
interface ToolSeries {
  readonly label: string;
  ok: OutcomeSeries | undefined;
  error: OutcomeSeries | undefined;
  readonly errorsByCode: Map<string, Inc>;
}
interface HttpSeries {
  readonly label: string;
  readonly byStatus: Map<number, Inc>;
}

/**
 * {@link Metrics} on a prom-client registry. Labelled children are cached per label values: prom-client's labels()
 * builds a label object and a bound function on every call, which the hot path (one observeToolCall per tool call)
 * avoids. The caches are bounded by the label caps (`maxTools`, the HTTP methods, the closed error codes), not by
 * eviction: an evicted child would still be in the registry, so eviction would free nothing.
 */
export class PromMetrics implements Metrics {
  readonly registry: Registry;
  readonly #maxTools: number;
  readonly #calls: Counter<'tool' | 'outcome'>;
  readonly #errors: Counter<'tool' | 'code'>;
  readonly #duration: Histogram<'tool' | 'outcome'>;
  readonly #http: Counter<'method' | 'status'>;
  readonly #upstreamCalls: Counter<'upstream' | 'tool' | 'outcome'>;
  readonly #upstreamDuration: Histogram<'upstream' | 'tool' | 'outcome'>;
  readonly #upstreamSeries = new Map<string, OutcomeSeries>();
  readonly #tools = new Map<string, ToolSeries>();
  #otherTool: ToolSeries | undefined;
  readonly #httpByMethod = new Map<string, HttpSeries>();
  readonly #gauges: PromGauges;

  /**
   * @param maxTools most distinct `tool` label values kept (further ones count as `_other`).
   * @param collectTimeoutMs how long a scrape waits for a gauge's async collectors, in milliseconds.
   */
  constructor(registry: Registry, maxTools: number, collectTimeoutMs: number) {
    this.registry = registry;
    this.#maxTools = maxTools;
    this.#calls = registeredCounter(registry, 'mcp_tool_calls_total', 'Tool calls finished, by tool and outcome (ok | error).', ['tool', 'outcome']);
    this.#errors = registeredCounter(
      registry,
      'mcp_tool_errors_total',
      'Tool calls that failed, by tool and error code (the closed set of @mcpfed/errors, or OTHER).',
      ['tool', 'code'],
    );
    this.#duration = durationHistogram(registry, 'mcp_tool_duration_seconds', 'Duration of tool calls in seconds, by tool and outcome.', ['tool', 'outcome']);
    this.#http = registeredCounter(registry, 'mcp_http_requests_total', 'HTTP requests answered, by method and status code.', ['method', 'status']);
    this.#upstreamCalls = registeredCounter(
      registry,
      'federation_calls_total',
      "Calls to another server's tools, by upstream, tool and outcome (ok or the error code).",
      ['upstream', 'tool', 'outcome'],
    );
    this.#upstreamDuration = durationHistogram(
      registry,
      'federation_call_duration_seconds',
      "Duration of calls to another server's tools in seconds (retries included), by upstream, tool and outcome.",
      ['upstream', 'tool', 'outcome'],
    );
    this.#gauges = new PromGauges(registry, collectTimeoutMs);
  }

  observeToolCall(tool: string, outcome: ToolOutcome, seconds: number, code?: string): void {
    const series = this.#toolSeries(tool);
    const isOk = outcome === 'ok';
    const byOutcome = isOk ? (series.ok ??= this.#outcomeSeries(series.label, 'ok')) : (series.error ??= this.#outcomeSeries(series.label, 'error'));
    byOutcome.calls.inc();
    if (seconds >= 0 && seconds !== Infinity) byOutcome.duration.observe(seconds);
    if (!isOk) {
      const codeLabel = code === undefined ? 'INTERNAL' : isErrorCode(code) ? code : 'OTHER';
      let errors = series.errorsByCode.get(codeLabel);
      if (errors === undefined) {
        errors = this.#errors.labels(series.label, codeLabel);
        series.errorsByCode.set(codeLabel, errors);
      }
      errors.inc();
    }
  }

  observeHttp(method: string, status: number): void {
    let series = this.#httpByMethod.get(method);
    if (series === undefined) {
      const upper = method.toUpperCase();
      series = { label: HTTP_METHODS.has(upper) ? upper : 'OTHER', byStatus: new Map() };
      // node:http only parses a fixed set of methods, but cap the cache in case callers pass anything.
      if (this.#httpByMethod.size < 64) this.#httpByMethod.set(method, series);
    }
    let requests = series.byStatus.get(status);
    if (requests === undefined) {
      const valid = Number.isInteger(status) && status >= 100 && status <= 599;
      requests = this.#http.labels(series.label, valid ? String(status) : 'other');
      if (valid) series.byStatus.set(status, requests);
    }
    requests.inc();
  }

  observeUpstreamCall(upstream: string, tool: string, outcome: string, seconds: number): void {
    const key = `${upstream}\u0000${tool}\u0000${outcome}`;
    let series = this.#upstreamSeries.get(key);
    if (series === undefined) {
      const toolLabel = this.#toolSeries(tool).label;
      const outcomeLabel = outcome === 'ok' || isErrorCode(outcome) ? outcome : 'OTHER';
      series = {
        calls: this.#upstreamCalls.labels(upstream, toolLabel, outcomeLabel),
        duration: this.#upstreamDuration.labels(upstream, toolLabel, outcomeLabel),
      };
      // Unknown outcomes share one series; caching each would let odd inputs grow the map.
      if (outcomeLabel === outcome) this.#upstreamSeries.set(key, series);
    }
    series.calls.inc();
    if (seconds >= 0 && seconds !== Infinity) series.duration.observe(seconds);
  }

  gauge(name: string, help: string, labelNames: readonly string[], collect: GaugeCollector): () => void {
    return this.#gauges.gauge(name, help, labelNames, collect);
  }

  async render(): Promise<MetricsPage> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }

  #toolSeries(tool: string): ToolSeries {
    const known = this.#tools.get(tool);
    if (known !== undefined) return known;
    if (this.#tools.size >= this.#maxTools) {
      return (this.#otherTool ??= { label: OTHER_TOOL, ok: undefined, error: undefined, errorsByCode: new Map() });
    }
    const series: ToolSeries = { label: tool, ok: undefined, error: undefined, errorsByCode: new Map() };
    this.#tools.set(tool, series);
    return series;
  }

  #outcomeSeries(tool: string, outcome: ToolOutcome): OutcomeSeries {
    return { calls: this.#calls.labels(tool, outcome), duration: this.#duration.labels(tool, outcome) };
  }
}

/** A duration histogram on {@link TOOL_DURATION_BUCKETS}, or the one already registered under `name`. */
function durationHistogram<T extends string>(registry: Registry, name: string, help: string, labelNames: T[]): Histogram<T> {
  return registeredMetric(registry, name, Histogram) ?? new Histogram({ name, help, labelNames, buckets: [...TOOL_DURATION_BUCKETS], registers: [registry] });
}
