import { AppError } from '@mcpfed/errors';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { createMetrics } from './create-metrics.ts';

function lines(body: string): string[] {
  return body.split('\n');
}

function codeOf(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return AppError.is(err) ? err.code : err;
  }
  return 'no error';
}

describe('createMetrics', () => {
  it('counts tool calls, errors and durations with exact samples', async () => {
    const metrics = createMetrics({ service: 'customer-server', collectDefault: false });
    metrics.observeToolCall('customer_get', 'ok', 0.003);
    metrics.observeToolCall('customer_get', 'ok', 0.0004);
    metrics.observeToolCall('customer_get', 'error', 0.2, 'NOT_FOUND');
    metrics.observeToolCall('customer_update', 'error', 0.01, 'CONFLICT');
    const page = await metrics.render();
    expect(page.contentType).toBe('text/plain; version=0.0.4; charset=utf-8');
    const body = lines(page.body);
    // prom-client writes a metric's own labels first and the registry's default label (service) last.
    expect(body).toContain('mcp_tool_calls_total{tool="customer_get",outcome="ok",service="customer-server"} 2');
    expect(body).toContain('mcp_tool_calls_total{tool="customer_get",outcome="error",service="customer-server"} 1');
    expect(body).toContain('mcp_tool_calls_total{tool="customer_update",outcome="error",service="customer-server"} 1');
    expect(body).toContain('mcp_tool_errors_total{tool="customer_get",code="NOT_FOUND",service="customer-server"} 1');
    expect(body).toContain('mcp_tool_errors_total{tool="customer_update",code="CONFLICT",service="customer-server"} 1');
    expect(body.filter((l) => l.startsWith('mcp_tool_errors_total{'))).toHaveLength(2);
    const okBuckets = body.filter((l) => l.startsWith('mcp_tool_duration_seconds_bucket') && l.includes('tool="customer_get",outcome="ok"'));
    expect(okBuckets).toEqual([
      'mcp_tool_duration_seconds_bucket{le="0.0005",service="customer-server",tool="customer_get",outcome="ok"} 1',
      'mcp_tool_duration_seconds_bucket{le="0.001",service="customer-server",tool="customer_get",outcome="ok"} 1',
      'mcp_tool_duration_seconds_bucket{le="0.0025",service="customer-server",tool="customer_get",outcome="ok"} 1',
      'mcp_tool_duration_seconds_bucket{le="0.005",service="customer-server",tool="customer_get",outcome="ok"} 2',
      'mcp_tool_duration_seconds_bucket{le="0.01",service="customer-server",tool="customer_get",outcome="ok"} 2',
      'mcp_tool_duration_seconds_bucket{le="0.025",service="customer-server",tool="customer_get",outcome="ok"} 2',
      'mcp_tool_duration_seconds_bucket{le="0.05",service="customer-server",tool="customer_get",outcome="ok"} 2',
      'mcp_tool_duration_seconds_bucket{le="0.1",service="customer-server",tool="customer_get",outcome="ok"} 2',
      'mcp_tool_duration_seconds_bucket{le="0.25",service="customer-server",tool="customer_get",outcome="ok"} 2',
      'mcp_tool_duration_seconds_bucket{le="0.5",service="customer-server",tool="customer_get",outcome="ok"} 2',
      'mcp_tool_duration_seconds_bucket{le="1",service="customer-server",tool="customer_get",outcome="ok"} 2',
      'mcp_tool_duration_seconds_bucket{le="2.5",service="customer-server",tool="customer_get",outcome="ok"} 2',
      'mcp_tool_duration_seconds_bucket{le="5",service="customer-server",tool="customer_get",outcome="ok"} 2',
      'mcp_tool_duration_seconds_bucket{le="10",service="customer-server",tool="customer_get",outcome="ok"} 2',
      'mcp_tool_duration_seconds_bucket{le="+Inf",service="customer-server",tool="customer_get",outcome="ok"} 2',
    ]);
    expect(body).toContain('mcp_tool_duration_seconds_count{service="customer-server",tool="customer_get",outcome="error"} 1');
    expect(body).toContain('mcp_tool_duration_seconds_sum{service="customer-server",tool="customer_get",outcome="error"} 0.2');
  });

  it('keeps error codes to the closed set: missing is INTERNAL, unknown is OTHER', async () => {
    const metrics = createMetrics({ service: 's', collectDefault: false });
    metrics.observeToolCall('t', 'error', 0.001);
    metrics.observeToolCall('t', 'error', 0.001, 'ECONNRESET');
    metrics.observeToolCall('t', 'error', 0.001, 'not a code');
    const body = lines((await metrics.render()).body);
    expect(body.filter((l) => l.startsWith('mcp_tool_errors_total{'))).toEqual([
      'mcp_tool_errors_total{tool="t",code="INTERNAL",service="s"} 1',
      'mcp_tool_errors_total{tool="t",code="OTHER",service="s"} 2',
    ]);
  });

  it('counts a call whose duration is invalid without observing the duration', async () => {
    const metrics = createMetrics({ service: 's', collectDefault: false });
    metrics.observeToolCall('t', 'ok', Number.NaN);
    metrics.observeToolCall('t', 'ok', -1);
    metrics.observeToolCall('t', 'ok', 0);
    const body = lines((await metrics.render()).body);
    expect(body).toContain('mcp_tool_calls_total{tool="t",outcome="ok",service="s"} 3');
    expect(body).toContain('mcp_tool_duration_seconds_count{service="s",tool="t",outcome="ok"} 1');
  });

  it('caps the number of tool label values', async () => {
    const metrics = createMetrics({ service: 's', collectDefault: false, maxTools: 2 });
    for (const tool of ['a', 'b', 'made_up_1', 'made_up_2', 'a']) metrics.observeToolCall(tool, 'ok', 0.001);
    metrics.observeToolCall('made_up_3', 'error', 0.001, 'NOT_FOUND');
    const body = lines((await metrics.render()).body);
    expect(body.filter((l) => l.startsWith('mcp_tool_calls_total{'))).toEqual([
      'mcp_tool_calls_total{tool="a",outcome="ok",service="s"} 2',
      'mcp_tool_calls_total{tool="b",outcome="ok",service="s"} 1',
      'mcp_tool_calls_total{tool="_other",outcome="ok",service="s"} 2',
      'mcp_tool_calls_total{tool="_other",outcome="error",service="s"} 1',
    ]);
    expect(body).toContain('mcp_tool_errors_total{tool="_other",code="NOT_FOUND",service="s"} 1');
  });

  it('counts HTTP requests by normalised method and status', async () => {
    const metrics = createMetrics({ service: 'router', collectDefault: false });
    metrics.observeHttp('POST', 200);
    metrics.observeHttp('post', 200);
    metrics.observeHttp('GET', 404);
    metrics.observeHttp('BREW', 418);
    metrics.observeHttp('GET', 1000);
    const body = lines((await metrics.render()).body);
    expect(body.filter((l) => l.startsWith('mcp_http_requests_total{'))).toEqual([
      'mcp_http_requests_total{method="POST",status="200",service="router"} 2',
      'mcp_http_requests_total{method="GET",status="404",service="router"} 1',
      'mcp_http_requests_total{method="OTHER",status="418",service="router"} 1',
      'mcp_http_requests_total{method="GET",status="other",service="router"} 1',
    ]);
  });

  it('gives each instance its own registry, with default process metrics unless turned off', async () => {
    const a = createMetrics({ service: 'a' });
    const b = createMetrics({ service: 'b', collectDefault: false });
    a.observeToolCall('t', 'ok', 0.001);
    const bodyA = (await a.render()).body;
    const bodyB = (await b.render()).body;
    expect(bodyA).toMatch(/^process_cpu_user_seconds_total\{service="a"\} [0-9.e-]+$/m);
    expect(bodyA).toContain('mcp_tool_calls_total{tool="t",outcome="ok",service="a"} 1');
    expect(bodyB).not.toContain('process_cpu_user_seconds_total');
    expect(bodyB).not.toContain('mcp_tool_calls_total{');
  });

  it('reuses the metrics already on a shared registry', async () => {
    const registry = new Registry();
    const first = createMetrics({ service: 's', registry, collectDefault: false });
    const second = createMetrics({ service: 's', registry, collectDefault: false });
    first.observeToolCall('t', 'ok', 0.001);
    second.observeToolCall('t', 'ok', 0.001);
    expect(lines(await registry.metrics())).toContain('mcp_tool_calls_total{tool="t",outcome="ok",service="s"} 2');
  });

  it('rejects invalid options', () => {
    expect(codeOf(() => createMetrics({ service: '' }))).toBe('VALIDATION_FAILED');
    expect(codeOf(() => createMetrics({ service: 's', maxTools: 0 }))).toBe('VALIDATION_FAILED');
    expect(codeOf(() => createMetrics({ service: 's', collectTimeoutMs: 0.5 }))).toBe('VALIDATION_FAILED');
  });
});

describe('Metrics.gauge', () => {
  it('reads values at scrape time from every collector registered under one name', async () => {
    const metrics = createMetrics({ service: 's', collectDefault: false });
    const depth = { orders: 3 };
    metrics.gauge('queue_depth', 'Jobs waiting, by queue.', ['queue'], (set) => set({ queue: 'orders' }, depth.orders));
    const removeRefunds = metrics.gauge('queue_depth', 'Jobs waiting, by queue.', ['queue'], async (set) => {
      await Promise.resolve();
      set({ queue: 'refunds' }, 7);
    });
    expect(lines((await metrics.render()).body).filter((l) => l.startsWith('queue_depth{'))).toEqual([
      'queue_depth{queue="orders",service="s"} 3',
      'queue_depth{queue="refunds",service="s"} 7',
    ]);
    depth.orders = 9;
    removeRefunds();
    expect(lines((await metrics.render()).body).filter((l) => l.startsWith('queue_depth{'))).toEqual(['queue_depth{queue="orders",service="s"} 9']);
  });

  it('rejects a second declaration with other label names or a name taken by another metric', () => {
    const metrics = createMetrics({ service: 's', collectDefault: false });
    metrics.gauge('breaker_state', 'Circuit breaker state.', ['breaker'], () => {});
    expect(codeOf(() => metrics.gauge('breaker_state', 'x', ['name'], () => {}))).toBe('VALIDATION_FAILED');
    expect(codeOf(() => metrics.gauge('mcp_tool_calls_total', 'x', [], () => {}))).toBe('VALIDATION_FAILED');
  });

  it('renders the rest of the page when a collector fails, and counts the failure', async () => {
    const metrics = createMetrics({ service: 's', collectDefault: false });
    metrics.gauge('healthy', 'h', [], (set) => set({}, 1));
    metrics.gauge('broken', 'b', [], () => {
      throw new Error('redis down');
    });
    metrics.gauge('broken_async', 'b', [], async () => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      throw new Error('redis down');
    });
    const body = lines((await metrics.render()).body);
    expect(body).toContain('healthy{service="s"} 1');
    expect(body.filter((l) => l.startsWith('broken'))).toEqual([]);
    expect(body).toContain('telemetry_gauge_collect_errors_total{gauge="broken",service="s"} 1');
    expect(body).toContain('telemetry_gauge_collect_errors_total{gauge="broken_async",service="s"} 1');
    const next = lines((await metrics.render()).body);
    expect(next).toContain('telemetry_gauge_collect_errors_total{gauge="broken",service="s"} 2');
    expect(next).toContain('telemetry_gauge_collect_errors_total{gauge="broken_async",service="s"} 2');
    expect(next).toContain('healthy{service="s"} 1');
  });

  it('renders without a collector that never settles, counting it once per scrape', async () => {
    const metrics = createMetrics({ service: 's', collectDefault: false, collectTimeoutMs: 50 });
    metrics.gauge('hung', 'h', ['queue'], (set) => {
      set({ queue: 'orders' }, 4);
      return new Promise<void>(() => {});
    });
    const first = lines((await metrics.render()).body);
    expect(first).toContain('hung{queue="orders",service="s"} 4');
    expect(first).toContain('telemetry_gauge_collect_errors_total{gauge="hung",service="s"} 1');
    const second = lines((await metrics.render()).body);
    expect(second).toContain('telemetry_gauge_collect_errors_total{gauge="hung",service="s"} 2');
  });
});
