import { optionSchemas, parseOptions } from '@mcpfed/errors';
import { DiagLogLevel, ROOT_CONTEXT, SpanKind, SpanStatusCode, TraceFlags, diag, trace } from '@opentelemetry/api';
import type { Span, Tracer } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { defaultResource, resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { ATTR_ERROR_TYPE, ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import { z } from 'zod';
import { childTraceContext } from './child-trace-context.ts';
import type { Logger } from './create-logger.ts';
import type { TraceContext } from './trace-context.ts';
import { formatTraceparent } from './traceparent.ts';
import type { TraceParent } from './traceparent.ts';

/** Options of {@link initTracing}. */
export interface TracingConfig {
  /** `service.name` resource attribute of exported spans (e.g. `customer-server`). */
  readonly serviceName: string;
  /**
   * Base URL of an OTLP/HTTP collector (`OTEL_EXPORTER_OTLP_ENDPOINT`); spans go to `<endpoint>/v1/traces`
   * as OTLP JSON. Default: unset, meaning export is off. An empty string counts as unset, as the
   * OpenTelemetry environment specification says for empty values.
   */
  readonly otlpEndpoint?: string;
  /**
   * Receives OpenTelemetry's own warnings and errors and a failed final flush when export is on.
   * OpenTelemetry's diagnostics logger is process-wide: the last `initTracing` given a logger receives
   * them. Default: none (failures are then silent).
   */
  readonly logger?: Logger;
  /**
   * Longest time one batch export may take, retries included, in milliseconds; it also bounds how long
   * {@link Tracing.shutdown} waits for an unreachable collector. Default: 10000.
   */
  readonly exportTimeoutMs?: number;
}

/** A span attribute value. */
export type SpanAttributeValue = string | number | boolean;

/** Role of a span: `server` for handling an incoming call, `client` for an outgoing one, etc. */
export type SpanKindName = 'internal' | 'server' | 'client' | 'producer' | 'consumer';

/** How a span's unit of work ended. */
export type SpanOutcome = 'ok' | 'error';

/** Options of {@link Tracing.startSpan}. */
export interface StartSpanOptions {
  /**
   * The caller: the context of the current span, or a parsed incoming `traceparent`. Default: none, so
   * the span starts a new trace.
   */
  readonly parent?: TraceContext | TraceParent;
  /** Attributes set at start (known before the work begins, which lets samplers see them). */
  readonly attributes?: Readonly<Record<string, SpanAttributeValue>>;
  /** Default: `internal`. */
  readonly kind?: SpanKindName;
}

/** One unit of work being traced. */
export interface SpanHandle {
  /** This span's trace context: put `traceId` in logs and send `traceparent` downstream. */
  readonly context: TraceContext;
  /** Adds an attribute (ignored when export is off). */
  setAttribute(key: string, value: SpanAttributeValue): void;
  /**
   * Records a failure on the span: an exception event, `error.type` (an AppError's code, else the
   * error's name) and status ERROR. Ignored when export is off.
   */
  recordError(err: unknown): void;
  /** Ends the span; `error` sets status ERROR, `ok` sets status OK. Later calls are ignored. */
  end(outcome?: SpanOutcome): void;
}

/** Tracing of one service. */
export interface Tracing {
  /** Whether spans are exported (an OTLP endpoint was given). */
  readonly exporting: boolean;
  /**
   * Starts a span. With export on, its ids are the OpenTelemetry span's; with export off, it is a
   * {@link childTraceContext} of the parent, so log lines carry the caller's trace id either way.
   */
  startSpan(name: string, options?: StartSpanOptions): SpanHandle;
  /**
   * Exports the spans still buffered and stops exporting. Never rejects: a failed final export is
   * logged to the configured logger. Safe to call more than once.
   */
  shutdown(): Promise<void>;
}

/**
 * Sets up tracing for one service. Without `otlpEndpoint` nothing of the OpenTelemetry SDK is started
 * or registered (the global API keeps its no-op tracer) and spans only carry W3C context. With it, a
 * `NodeTracerProvider` batches spans to `<otlpEndpoint>/v1/traces` over OTLP/HTTP JSON. The provider is
 * deliberately not registered as the global one: each `Tracing` owns its provider, so several services in
 * one process keep their own `service.name`, and spans are started only through {@link Tracing.startSpan}.
 *
 * @throws AppError VALIDATION_FAILED for an empty `serviceName`, an `otlpEndpoint` that is not an
 *   http(s) URL, or an `exportTimeoutMs` below 1.
 */
export function initTracing(options: TracingConfig): Tracing {
  const { serviceName, otlpEndpoint, logger, exportTimeoutMs } = parseOptions('initTracing', tracingOptions, options);
  if (otlpEndpoint === undefined) return new UnexportedTracing();
  const url = `${otlpEndpoint.replace(/\/+$/, '')}/v1/traces`;
  if (logger !== undefined) {
    const log = logger.child({ component: 'opentelemetry' });
    diag.setLogger(
      {
        error: (message, ...args) => log.error(diagFields(args), message),
        warn: (message, ...args) => log.warn(diagFields(args), message),
        info: (message, ...args) => log.info(diagFields(args), message),
        debug: (message, ...args) => log.debug(diagFields(args), message),
        verbose: (message, ...args) => log.trace(diagFields(args), message),
      },
      { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true },
    );
    // Origin only: a URL's user-info or query may hold a collector credential.
    log.info({ collector: new URL(url).origin }, 'tracing: exporting spans over OTLP/HTTP');
  }
  const provider = new NodeTracerProvider({
    resource: defaultResource().merge(resourceFromAttributes({ [ATTR_SERVICE_NAME]: serviceName })),
    spanProcessors: [
      new BatchSpanProcessor(new OTLPTraceExporter({ url, timeoutMillis: exportTimeoutMs }), {
        exportTimeoutMillis: exportTimeoutMs,
      }),
    ],
  });
  return new ExportingTracing(provider, provider.getTracer('@mcpfed/telemetry'), logger);
}

const DEFAULT_EXPORT_TIMEOUT_MS = 10_000;

const tracingOptions = z.object({
  serviceName: optionSchemas.nonEmptyString(),
  exportTimeoutMs: optionSchemas.positiveInteger(DEFAULT_EXPORT_TIMEOUT_MS),
  // An empty endpoint counts as unset, as the OpenTelemetry environment specification says for empty values.
  otlpEndpoint: z.preprocess((value) => (value === '' ? undefined : value), optionSchemas.httpUrl().optional()),
  logger: z.custom<Logger>().optional(),
});

function diagFields(args: unknown[]): object {
  if (args.length === 0) return {};
  return args[0] instanceof Error ? { err: args[0] } : { otel: args };
}

class UnexportedTracing implements Tracing {
  readonly exporting = false;

  startSpan(_name: string, options?: StartSpanOptions): SpanHandle {
    return new UnexportedSpan(childTraceContext(options?.parent));
  }

  async shutdown(): Promise<void> {}
}

// One object per span on the path that runs on every tool call when export is off: methods on the prototype.
class UnexportedSpan implements SpanHandle {
  readonly context: TraceContext;

  constructor(context: TraceContext) {
    this.context = context;
  }

  setAttribute(): void {}
  recordError(): void {}
  end(): void {}
}

const SPAN_KINDS: Readonly<Record<SpanKindName, SpanKind>> = {
  internal: SpanKind.INTERNAL,
  server: SpanKind.SERVER,
  client: SpanKind.CLIENT,
  producer: SpanKind.PRODUCER,
  consumer: SpanKind.CONSUMER,
};

class ExportingTracing implements Tracing {
  readonly exporting = true;
  readonly #provider: NodeTracerProvider;
  readonly #tracer: Tracer;
  readonly #logger: Logger | undefined;
  #shutdown: Promise<void> | undefined;

  constructor(provider: NodeTracerProvider, tracer: Tracer, logger: Logger | undefined) {
    this.#provider = provider;
    this.#tracer = tracer;
    this.#logger = logger;
  }

  startSpan(name: string, options?: StartSpanOptions): SpanHandle {
    const parent = options?.parent;
    const context =
      parent === undefined
        ? ROOT_CONTEXT
        : trace.setSpanContext(ROOT_CONTEXT, {
            traceId: parent.traceId,
            spanId: 'parentSpanId' in parent ? parent.parentSpanId : parent.spanId,
            traceFlags: parent.sampled ? TraceFlags.SAMPLED : TraceFlags.NONE,
            isRemote: true,
          });
    const span = this.#tracer.startSpan(name, { kind: SPAN_KINDS[options?.kind ?? 'internal'], attributes: options?.attributes }, context);
    return new ExportedSpan(span);
  }

  shutdown(): Promise<void> {
    // Shutdown runs while the process stops; an unreachable collector must not turn that into a crash.
    return (this.#shutdown ??= this.#provider.shutdown().catch((err: unknown) => {
      this.#logger?.error({ err, component: 'opentelemetry' }, 'tracing: final span export failed');
    }));
  }
}

class ExportedSpan implements SpanHandle {
  readonly context: TraceContext;
  readonly #span: Span;
  #failed = false;
  #ended = false;

  constructor(span: Span) {
    this.#span = span;
    const { traceId, spanId, traceFlags } = span.spanContext();
    const sampled = (traceFlags & TraceFlags.SAMPLED) === TraceFlags.SAMPLED;
    this.context = { traceId, spanId, sampled, traceparent: formatTraceparent(traceId, spanId, sampled) };
  }

  setAttribute(key: string, value: SpanAttributeValue): void {
    if (!this.#ended) this.#span.setAttribute(key, value);
  }

  recordError(err: unknown): void {
    if (this.#ended) return;
    const type = errorType(err);
    this.#span.recordException(err instanceof Error ? err : { name: type, message: String(err) });
    this.#span.setAttribute(ATTR_ERROR_TYPE, type);
    this.#span.setStatus({ code: SpanStatusCode.ERROR, message: type });
    this.#failed = true;
  }

  end(outcome?: SpanOutcome): void {
    if (this.#ended) return;
    this.#ended = true;
    if (outcome === 'ok') this.#span.setStatus({ code: SpanStatusCode.OK });
    else if (outcome === 'error' && !this.#failed) this.#span.setStatus({ code: SpanStatusCode.ERROR });
    this.#span.end();
  }
}

function errorType(err: unknown): string {
  if (typeof err === 'object' && err !== null) {
    const code = (err as { code?: unknown }).code;
    if (typeof code === 'string' && code.length > 0) return code;
    const name = (err as { name?: unknown }).name;
    if (typeof name === 'string' && name.length > 0) return name;
  }
  return 'Error';
}
