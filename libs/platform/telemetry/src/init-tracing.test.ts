import { once } from 'node:events';
import { createServer } from 'node:http';
import type { IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AppError } from '@mcpfed/errors';
import { trace } from '@opentelemetry/api';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from './create-logger.ts';
import { initTracing } from './init-tracing.ts';
import { parseTraceparent } from './traceparent.ts';

interface Received {
  method: string | undefined;
  url: string | undefined;
  headers: IncomingHttpHeaders;
  body: string;
}

interface OtlpAttribute {
  key: string;
  value: { stringValue?: string; intValue?: number | string; boolValue?: boolean };
}

interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes: OtlpAttribute[];
  status?: { code?: number; message?: string };
  events?: { name: string; attributes: OtlpAttribute[] }[];
}

interface OtlpRequest {
  resourceSpans: { resource: { attributes: OtlpAttribute[] }; scopeSpans: { spans: OtlpSpan[] }[] }[];
}

const PARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

let collector: Server | undefined;

/** A minimal OTLP/HTTP collector recording every request it receives. */
async function startCollector(): Promise<{ endpoint: string; received: Received[] }> {
  const received: Received[] = [];
  collector = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push({ method: req.method, url: req.url, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{}');
    });
  });
  collector.listen(0, '127.0.0.1');
  await once(collector, 'listening');
  const { port } = collector.address() as AddressInfo;
  return { endpoint: `http://127.0.0.1:${port}/`, received };
}

afterEach(async () => {
  if (collector === undefined) return;
  collector.closeAllConnections();
  collector.close();
  await once(collector, 'close');
  collector = undefined;
});

function exportedSpans(received: Received[]): { spans: OtlpSpan[]; serviceNames: (string | undefined)[] } {
  const requests = received.map((r) => JSON.parse(r.body) as OtlpRequest);
  return {
    spans: requests.flatMap((r) => r.resourceSpans.flatMap((rs) => rs.scopeSpans.flatMap((ss) => ss.spans))),
    serviceNames: requests.flatMap((r) => r.resourceSpans.map((rs) => rs.resource.attributes.find((a) => a.key === 'service.name')?.value.stringValue)),
  };
}

function attribute(span: OtlpSpan | undefined, key: string): OtlpAttribute['value'] | undefined {
  return span?.attributes.find((a) => a.key === key)?.value;
}

describe('initTracing with an OTLP endpoint', () => {
  it('exports spans in the caller’s trace to <endpoint>/v1/traces as OTLP JSON on shutdown', async () => {
    const { endpoint, received } = await startCollector();
    const tracing = initTracing({ serviceName: 'customer-server', otlpEndpoint: endpoint });
    expect(tracing.exporting).toBe(true);
    const parent = parseTraceparent(PARENT)!;

    const call = tracing.startSpan('tools/call customer_get', {
      parent,
      kind: 'server',
      attributes: { 'mcp.tool.name': 'customer_get' },
    });
    expect(call.context.traceId).toBe(parent.traceId);
    expect(call.context.spanId).toMatch(/^[0-9a-f]{16}$/);
    expect(call.context.spanId).not.toBe(parent.parentSpanId);
    expect(call.context.traceparent).toBe(`00-${parent.traceId}-${call.context.spanId}-01`);

    const query = tracing.startSpan('db select', { parent: call.context, kind: 'client' });
    query.setAttribute('db.rows', 1);
    query.end('ok');
    call.recordError(new AppError('NOT_FOUND', 'no customer cus_1'));
    call.end('error');
    call.end('ok');

    await tracing.shutdown();
    await tracing.shutdown();

    expect(received.map((r) => [r.method, r.url, r.headers['content-type']])).toEqual([['POST', '/v1/traces', 'application/json']]);
    const { spans, serviceNames } = exportedSpans(received);
    expect(serviceNames).toEqual(['customer-server']);
    expect(spans).toHaveLength(2);
    const exportedCall = spans.find((s) => s.name === 'tools/call customer_get');
    const exportedQuery = spans.find((s) => s.name === 'db select');
    expect(exportedCall).toMatchObject({
      traceId: parent.traceId,
      spanId: call.context.spanId,
      parentSpanId: parent.parentSpanId,
      kind: 2, // SPAN_KIND_SERVER
      status: { code: 2, message: 'NOT_FOUND' }, // STATUS_CODE_ERROR
    });
    expect(attribute(exportedCall, 'mcp.tool.name')).toEqual({ stringValue: 'customer_get' });
    expect(attribute(exportedCall, 'error.type')).toEqual({ stringValue: 'NOT_FOUND' });
    expect(exportedCall?.events?.map((e) => e.name)).toEqual(['exception']);
    expect(exportedQuery).toMatchObject({
      traceId: parent.traceId,
      spanId: query.context.spanId,
      parentSpanId: call.context.spanId,
      kind: 3, // SPAN_KIND_CLIENT
      status: { code: 1 }, // STATUS_CODE_OK
    });
    expect(attribute(exportedQuery, 'db.rows')).toEqual({ intValue: 1 });
  });

  it('starts a new trace without a parent and does not export a span whose caller did not sample', async () => {
    const { endpoint, received } = await startCollector();
    const tracing = initTracing({ serviceName: 'order-server', otlpEndpoint: endpoint });
    const unsampledParent = parseTraceparent('00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00')!;
    const unsampled = tracing.startSpan('not sampled', { parent: unsampledParent });
    expect(unsampled.context.traceId).toBe(unsampledParent.traceId);
    expect(unsampled.context.sampled).toBe(false);
    expect(unsampled.context.traceparent).toBe(`00-${unsampledParent.traceId}-${unsampled.context.spanId}-00`);
    unsampled.end();
    const root = tracing.startSpan('root');
    expect(root.context.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(root.context.traceId).not.toBe(unsampledParent.traceId);
    expect(root.context.sampled).toBe(true);
    root.end();
    await tracing.shutdown();

    const { spans } = exportedSpans(received);
    expect(spans.map((s) => [s.name, s.traceId, s.spanId, s.parentSpanId ?? ''])).toEqual([['root', root.context.traceId, root.context.spanId, '']]);
  });

  it('reports a failed export to the given logger', async () => {
    const { endpoint } = await startCollector();
    // Close the collector again: the port now refuses connections.
    collector!.close();
    await once(collector!, 'close');
    collector = undefined;
    const lines: Record<string, unknown>[] = [];
    const logger = createLogger({ name: 'customer-server', level: 'info', destination: { write: (l) => lines.push(JSON.parse(l)) } });
    const tracing = initTracing({ serviceName: 'customer-server', otlpEndpoint: endpoint, logger, exportTimeoutMs: 300 });
    tracing.startSpan('lost').end();
    await expect(tracing.shutdown()).resolves.toBeUndefined();
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({ level: 'info', component: 'opentelemetry', collector: endpoint.replace(/\/$/, '') });
    expect(lines[1]).toMatchObject({
      level: 'error',
      name: 'customer-server',
      component: 'opentelemetry',
      msg: 'tracing: final span export failed',
      err: { code: 'ECONNREFUSED' },
    });
  });

  it('rejects an endpoint that is not an http(s) URL', () => {
    for (const otlpEndpoint of ['collector:4318', 'ftp://collector:4318', 'not a url']) {
      let code: unknown;
      try {
        initTracing({ serviceName: 's', otlpEndpoint });
      } catch (err) {
        code = AppError.is(err) ? err.code : err;
      }
      expect(code).toBe('VALIDATION_FAILED');
    }
  });
});

describe('initTracing without an OTLP endpoint', () => {
  it('registers nothing globally and returns child contexts of the caller', async () => {
    const tracing = initTracing({ serviceName: 'customer-server' });
    expect(tracing.exporting).toBe(false);
    expect(initTracing({ serviceName: 'customer-server', otlpEndpoint: '' }).exporting).toBe(false);
    const parent = parseTraceparent(PARENT)!;
    const span = tracing.startSpan('tools/call customer_get', { parent, attributes: { a: 1 } });
    expect(span.context.traceId).toBe(parent.traceId);
    expect(span.context.spanId).toMatch(/^[0-9a-f]{16}$/);
    expect(span.context.spanId).not.toBe(parent.parentSpanId);
    expect(span.context.traceparent).toBe(`00-${parent.traceId}-${span.context.spanId}-01`);
    span.setAttribute('x', 'y');
    span.recordError(new Error('boom'));
    span.end('error');
    const root = tracing.startSpan('root');
    expect(root.context.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(root.context.sampled).toBe(true);
    // The OpenTelemetry API still hands out its no-op tracer: no provider was registered.
    expect(trace.getTracer('probe').startSpan('probe').isRecording()).toBe(false);
    await expect(tracing.shutdown()).resolves.toBeUndefined();
  });
});
