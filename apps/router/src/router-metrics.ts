import { Counter, Histogram } from 'prom-client';
import type { Metrics } from '@mcpfed/telemetry';
import type { Upstream } from './upstream/upstream.ts';

/** Buckets of `router_upstream_request_duration_seconds`, in seconds (0.25 ms to 30 s). */
const BUCKETS = [0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

const BREAKER_VALUE = { closed: 0, 'half-open': 1, open: 2 } as const;

/** The router's own series, beside the per-tool ones of @mcpfed/telemetry. */
export interface RouterMetrics {
  /** Records one forwarded request: `outcome` is `ok` or the mcpfed error code of a failure. */
  observeUpstream(upstream: string, method: string, outcome: string, seconds: number): void;
  /** Records one request routed on its `Mcp-Method`/`Mcp-Name` headers, its body forwarded unparsed. */
  observeHeaderRouted(upstream: string): void;
}

/**
 * Registers on `metrics.registry`:
 * - `router_upstream_request_duration_seconds{upstream,method,outcome}` (histogram): latency of forwarded requests,
 *   `outcome` = `ok` or the error code (`UPSTREAM_UNAVAILABLE`, `TIMEOUT`, ...);
 * - `router_upstream_errors_total{upstream,code}`;
 * - `router_header_routed_requests_total{upstream}`: 2026-07-28 tools/call routed on their headers, bodies unparsed;
 * - `router_upstream_breaker_state{upstream}` (0 closed, 1 half-open, 2 open), `router_upstream_up{upstream}`
 *   (1 when discovery reaches it), `router_upstream_tools{upstream}`, `router_upstream_in_flight{upstream}`.
 */
export function createRouterMetrics(metrics: Metrics, upstreams: readonly Upstream[]): RouterMetrics {
  const duration = new Histogram({
    name: 'router_upstream_request_duration_seconds',
    help: 'Latency of requests forwarded to an upstream, by outcome (ok or error code).',
    labelNames: ['upstream', 'method', 'outcome'],
    buckets: BUCKETS,
    registers: [metrics.registry],
  });
  const errors = new Counter({
    name: 'router_upstream_errors_total',
    help: 'Failed requests to an upstream, by mcpfed error code.',
    labelNames: ['upstream', 'code'],
    registers: [metrics.registry],
  });
  const headerRouted = new Counter({
    name: 'router_header_routed_requests_total',
    help: 'Requests routed on their Mcp-Method/Mcp-Name headers, their bodies forwarded unparsed.',
    labelNames: ['upstream'],
    registers: [metrics.registry],
  });
  const each = (value: (u: Upstream) => number) => (set: (labels: Record<string, string>, v: number) => void) => {
    for (const upstream of upstreams) set({ upstream: upstream.name }, value(upstream));
  };
  metrics.gauge(
    'router_upstream_breaker_state',
    'Circuit breaker of each upstream: 0 closed, 1 half-open, 2 open.',
    ['upstream'],
    each((u) => BREAKER_VALUE[u.breakerState]),
  );
  metrics.gauge(
    'router_upstream_up',
    'Whether discovery reaches the upstream (1) or not (0).',
    ['upstream'],
    each((u) => (u.health === 'up' ? 1 : 0)),
  );
  metrics.gauge(
    'router_upstream_tools',
    'Tools discovered on each upstream.',
    ['upstream'],
    each((u) => u.snapshot?.tools.length ?? 0),
  );
  metrics.gauge(
    'router_upstream_in_flight',
    'Requests in flight to each upstream.',
    ['upstream'],
    each((u) => u.inFlight),
  );
  // Label sets are few (upstreams x methods x outcomes): keep each series' child so a call does not hash labels.
  const series = new Map<string, { observe(value: number): void }>();
  return {
    observeUpstream(upstream, method, outcome, seconds) {
      const key = `${upstream}\u0000${method}\u0000${outcome}`;
      let child = series.get(key);
      if (child === undefined) {
        child = duration.labels(upstream, method, outcome);
        series.set(key, child);
      }
      child.observe(seconds);
      if (outcome !== 'ok') errors.inc({ upstream, code: outcome });
    },
    observeHeaderRouted(upstream) {
      headerRouted.inc({ upstream });
    },
  };
}
