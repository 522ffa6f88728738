import { AppError, isErrorCode } from '@mcpfed/errors';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { checkOption } from './check-option.ts';

/** Outcome of a tool call: `ok`, or `error` for any failure (an AppError or an unexpected throw). */
export type ToolOutcome = 'ok' | 'error';

/** Sets one series of a gauge during a scrape: its labels (all of the gauge's label names) and value. */
export type SetGauge = (labels: Readonly<Record<string, string>>, value: number) => void;

/**
 * Reads a current value at scrape time and reports it through `set`, once per series. May be async
 * (a queue depth read from Redis). A collector that throws or rejects loses its series for that scrape
 * and counts in `telemetry_gauge_collect_errors_total{gauge}`, as does a gauge whose async collectors
 * have not settled within `collectTimeoutMs`; the rest of the page still renders.
 */
export type GaugeCollector = (set: SetGauge) => void | Promise<void>;

/** Options of {@link createMetrics}. */
export interface MetricsConfig {
  /** Value of the `service` label on every metric (e.g. `customer-server`). */
  readonly service: string;
  /**
   * Registry to register into. Default: a new one, so several servers or tests in one process never
   * collide (the global prom-client registry is never used). Its default labels are set to `{ service }`.
   */
  readonly registry?: Registry;
  /** Also collect prom-client's default process and Node.js runtime metrics. Default: true. */
  readonly collectDefault?: boolean;
  /**
   * Most distinct `tool` label values kept; further tool names are counted as `_other` so a client
   * calling made-up tool names cannot grow the series without bound. Default: 500.
   */
  readonly maxTools?: number;
  /**
   * How long a scrape waits for a gauge's async collectors before counting a failure and rendering
   * without them, in milliseconds. Keep it below Prometheus' scrape timeout. Default: 3000.
   */
  readonly collectTimeoutMs?: number;
}

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

/**
 * Histogram buckets of `mcp_tool_duration_seconds`, in seconds: 0.5 ms to 10 s, roughly 1-2.5-5 per
 * decade (a cached point read lands in the first buckets, a saga step in the last).
 */
export const TOOL_DURATION_BUCKETS: readonly number[] = [
  0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
];

const DEFAULT_MAX_TOOLS = 500;
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
interface GaugeEntry {
  readonly labelNames: readonly string[];
  readonly collectors: Set<GaugeCollector>;
}

interface GaugeState {
  readonly gauges: Map<string, GaugeEntry>;
  /** Gauge collections of the scrapes in progress, awaited by the collect-errors counter. */
  readonly inflight: Set<Promise<void>>;
}

// Kept per registry, so two Metrics sharing one registry share each gauge.
const gaugeStates = new WeakMap<Registry, GaugeState>();

const COLLECT_ERRORS = 'telemetry_gauge_collect_errors_total';
const DEFAULT_COLLECT_TIMEOUT_MS = 3000;

/**
 * Creates the metrics of one service on its own prom-client registry with default labels `{ service }`.
 * Calling it twice on one shared registry reuses the already registered metrics.
 *
 * @throws AppError VALIDATION_FAILED for an empty `service`, or a `maxTools` or `collectTimeoutMs` below 1.
 */
export function createMetrics(options: MetricsConfig): Metrics {
  const service = checkOption.nonEmptyString('createMetrics', 'service', options.service);
  const maxTools = checkOption.positiveInteger('createMetrics', 'maxTools', options.maxTools, DEFAULT_MAX_TOOLS);
  const collectTimeoutMs = checkOption.positiveInteger(
    'createMetrics',
    'collectTimeoutMs',
    options.collectTimeoutMs,
    DEFAULT_COLLECT_TIMEOUT_MS,
  );
  const registry = options.registry ?? new Registry();
  registry.setDefaultLabels({ service });
  if ((options.collectDefault ?? true) && registry.getSingleMetric('process_cpu_user_seconds_total') === undefined) {
    collectDefaultMetrics({ register: registry });
  }
  return new PromMetrics(registry, maxTools, collectTimeoutMs);
}

// Labelled children are cached per label values: prom-client's labels() builds a label object and a
// bound function on every call, which the hot path (one observeToolCall per tool call) avoids.
class PromMetrics implements Metrics {
  readonly registry: Registry;
  readonly #maxTools: number;
  readonly #collectTimeoutMs: number;
  readonly #calls: Counter<'tool' | 'outcome'>;
  readonly #errors: Counter<'tool' | 'code'>;
  readonly #duration: Histogram<'tool' | 'outcome'>;
  readonly #http: Counter<'method' | 'status'>;
  readonly #upstreamCalls: Counter<'upstream' | 'tool' | 'outcome'>;
  readonly #upstreamDuration: Histogram<'upstream' | 'tool' | 'outcome'>;
  readonly #upstreamSeries = new Map<string, OutcomeSeries>();
  readonly #collectErrors: Counter<'gauge'>;
  readonly #tools = new Map<string, ToolSeries>();
  #otherTool: ToolSeries | undefined;
  readonly #httpByMethod = new Map<string, HttpSeries>();
  readonly #gaugeState: GaugeState;

  constructor(registry: Registry, maxTools: number, collectTimeoutMs: number) {
    this.registry = registry;
    this.#maxTools = maxTools;
    this.#collectTimeoutMs = collectTimeoutMs;
    this.#calls = counter(registry, 'mcp_tool_calls_total', 'Tool calls finished, by tool and outcome (ok | error).', [
      'tool',
      'outcome',
    ]);
    this.#errors = counter(
      registry,
      'mcp_tool_errors_total',
      'Tool calls that failed, by tool and error code (the closed set of @mcpfed/errors, or OTHER).',
      ['tool', 'code'],
    );
    this.#duration = existing(registry, 'mcp_tool_duration_seconds', Histogram) ??
      new Histogram({
        name: 'mcp_tool_duration_seconds',
        help: 'Duration of tool calls in seconds, by tool and outcome.',
        labelNames: ['tool', 'outcome'],
        buckets: [...TOOL_DURATION_BUCKETS],
        registers: [registry],
      });
    this.#http = counter(registry, 'mcp_http_requests_total', 'HTTP requests answered, by method and status code.', [
      'method',
      'status',
    ]);
    this.#upstreamCalls = counter(
      registry,
      'federation_calls_total',
      'Calls to another server\'s tools, by upstream, tool and outcome (ok or the error code).',
      ['upstream', 'tool', 'outcome'],
    );
    this.#upstreamDuration = existing(registry, 'federation_call_duration_seconds', Histogram) ??
      new Histogram({
        name: 'federation_call_duration_seconds',
        help: 'Duration of calls to another server\'s tools in seconds (retries included), by upstream, tool and outcome.',
        labelNames: ['upstream', 'tool', 'outcome'],
        buckets: [...TOOL_DURATION_BUCKETS],
        registers: [registry],
      });
    let gaugeState = gaugeStates.get(registry);
    if (gaugeState === undefined) {
      gaugeState = { gauges: new Map(), inflight: new Set() };
      gaugeStates.set(registry, gaugeState);
    }
    this.#gaugeState = gaugeState;
    const inflight = gaugeState.inflight;
    this.#collectErrors =
      existing(registry, COLLECT_ERRORS, Counter) ??
      new Counter({
        name: COLLECT_ERRORS,
        help: 'Gauge collectors that threw or rejected during a scrape, by gauge name.',
        labelNames: ['gauge'],
        registers: [registry],
        // Read after this scrape's gauges have collected, so a failure shows in the scrape it happened in.
        async collect() {
          await Promise.all(inflight);
        },
      });
  }

  observeToolCall(tool: string, outcome: ToolOutcome, seconds: number, code?: string): void {
    const series = this.#toolSeries(tool);
    const isOk = outcome === 'ok';
    const byOutcome = isOk
      ? (series.ok ??= this.#outcomeSeries(series.label, 'ok'))
      : (series.error ??= this.#outcomeSeries(series.label, 'error'));
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
    let entry = this.#gaugeState.gauges.get(name);
    if (entry === undefined) {
      if (this.registry.getSingleMetric(name) !== undefined) {
        throw new AppError('VALIDATION_FAILED', `metrics.gauge: ${name} is already registered as another metric`, {
          details: { name },
        });
      }
      entry = { labelNames: [...labelNames], collectors: new Set() };
      this.#defineGauge(name, help, entry);
      this.#gaugeState.gauges.set(name, entry);
      // The registry renders in registration order: keep the collect-errors counter after every gauge.
      this.registry.removeSingleMetric(COLLECT_ERRORS);
      this.registry.registerMetric(this.#collectErrors);
    } else if (!sameNames(entry.labelNames, labelNames)) {
      throw new AppError('VALIDATION_FAILED', `metrics.gauge: ${name} is already registered with other label names`, {
        details: { name, labelNames: [...entry.labelNames] },
      });
    }
    const collectors = entry.collectors;
    collectors.add(collect);
    return () => {
      collectors.delete(collect);
    };
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

  #defineGauge(name: string, help: string, entry: GaugeEntry): void {
    const collectErrors = this.#collectErrors;
    const inflight = this.#gaugeState.inflight;
    const timeoutMs = this.#collectTimeoutMs;
    new Gauge({
      name,
      help,
      labelNames: [...entry.labelNames],
      registers: [this.registry],
      collect() {
        // Start each scrape empty so series of removed or failing collectors disappear (reset() alone
        // leaves a label-less gauge at 0, which would read as a real value).
        this.reset();
        if (entry.labelNames.length === 0) this.remove();
        const set: SetGauge = (labels, value) => this.set(labels, value);
        const failed = (): void => collectErrors.labels(name).inc();
        const pending: Promise<void>[] = [];
        for (const collector of entry.collectors) {
          try {
            const result = collector(set);
            if (result !== undefined) pending.push(result.catch(failed));
          } catch {
            failed();
          }
        }
        if (pending.length === 0) return;
        // A collector that never settles (a hung Redis call) must not hold every later scrape.
        let timer: NodeJS.Timeout | undefined;
        const timedOut = new Promise<void>((resolve) => {
          timer = setTimeout(() => {
            failed();
            resolve();
          }, timeoutMs);
        });
        const done = Promise.race([Promise.all(pending), timedOut]).then(() => {
          clearTimeout(timer);
          inflight.delete(done);
        });
        inflight.add(done);
        return done;
      },
    });
  }
}

function counter<T extends string>(registry: Registry, name: string, help: string, labelNames: T[]): Counter<T> {
  return existing(registry, name, Counter) ?? new Counter({ name, help, labelNames, registers: [registry] });
}

// A second createMetrics on a shared registry reuses what the first registered instead of failing.
function existing<M>(registry: Registry, name: string, type: abstract new (...args: never[]) => M): M | undefined {
  const metric: unknown = registry.getSingleMetric(name);
  if (metric === undefined) return undefined;
  if (metric instanceof type) return metric;
  throw new AppError('VALIDATION_FAILED', `createMetrics: ${name} is already registered as another metric type`, {
    details: { name },
  });
}

function sameNames(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((name, i) => name === b[i]);
}
