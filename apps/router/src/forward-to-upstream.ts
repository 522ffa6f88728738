import { AppError } from '@mcpfed/errors';
import { META_LOG_LEVEL, claimedRevision, isModernRevision } from '@mcpfed/mcp-runtime';
import type { LogLevelMemory } from '@mcpfed/mcp-runtime';
import { parseTraceparent } from '@mcpfed/telemetry';
import type { Logger, Metrics, Tracing } from '@mcpfed/telemetry';
import type { RouteDecision } from './route-decision.ts';
import type { RouterCaller } from './router-caller.ts';
import type { RouterMetrics } from './router-metrics.ts';
import type { UnparsedRequest } from './unparsed-request.ts';
import type { UpstreamCredentials } from './upstream/upstream-credentials.ts';
import type { ForwardRequest } from './upstream/upstream-forwarder.ts';

/** What {@link forwardToUpstream} needs of the router. */
export interface ForwardDeps {
  credentials: UpstreamCredentials;
  logger: Logger;
  metrics: Metrics;
  routerMetrics: RouterMetrics;
  tracing: Tracing;
  /** Levels callers set with `logging/setLevel`, added to their requests of revisions before 2026-07-28. */
  logLevels: LogLevelMemory;
}

/** An unparsed request on its way, with the caller's request parsed from it on demand (for the router's own answers). */
export type ForwardedUnparsed = UnparsedRequest & { original: () => Record<string, unknown> };

/** The mcpfed error of a request payload that cannot be serialised (nested too deep for the JSON writer). */
function unserialisable(cause: unknown): AppError {
  return new AppError('VALIDATION_FAILED', 'The request cannot be forwarded: its params are nested too deeply or are otherwise not serialisable as JSON.', {
    cause,
  });
}

/**
 * Forwards `message` under the upstream's isolation, with the caller's token and the router's trace context. The
 * caller's payload is serialised first, outside it: a payload that cannot be serialised is answered as the caller's
 * VALIDATION_FAILED and never reaches the upstream, its breaker or its metrics. `send` resolves with the upstream's
 * answer and the call's outcome (`ok` or the code of the error the upstream answered), counted per tool.
 */
export async function forwardToUpstream<T>(
  deps: ForwardDeps,
  decision: Extract<RouteDecision, { kind: 'forward' }>,
  message: Record<string, unknown>,
  caller: RouterCaller,
  send: (request: ForwardRequest) => Promise<{ value: T; outcome: string }>,
  unparsed?: ForwardedUnparsed,
): Promise<T> {
  const { upstream, method } = decision;
  message = decision.message ?? message;
  const params = (message['params'] ?? {}) as Record<string, unknown>;
  const meta = (params['_meta'] ?? {}) as Record<string, unknown>;
  // Unparsed, the caller's trace context is its header alone (a `_meta.traceparent` in the body reaches the upstream as sent).
  const incoming = typeof meta['traceparent'] === 'string' ? meta['traceparent'] : caller.traceparent;
  const parent = parseTraceparent(incoming);
  const span = deps.tracing.startSpan(`router ${method}`, {
    kind: 'client',
    ...(parent ? { parent } : {}),
    attributes: { 'mcpfed.upstream': upstream.name, ...(decision.tool ? { 'mcp.tool': decision.tool } : {}) },
  });
  const traceparent = span.context.traceparent;
  // A 2026-07-28 request carries its own level (or none, asking for no log messages): a level remembered from a
  // logging/setLevel, which that revision does not have, must not override it.
  const remembers = meta[META_LOG_LEVEL] === undefined && !isModernRevision(claimedRevision(message));
  const logLevel = remembers ? deps.logLevels.get(caller.principal.id) : undefined;
  // Only the JSON-RPC members go on: a stray top-level key (`"__proto__"`, anything) is the caller's noise.
  const forwarded = {
    jsonrpc: '2.0',
    id: message['id'],
    method,
    params: { ...params, _meta: { ...meta, traceparent, ...(logLevel === undefined ? {} : { [META_LOG_LEVEL]: logLevel }) } },
  };
  const started = performance.now();
  // The upstream answered (`ok`) or the code it failed with; the call's outcome also counts errors it answered.
  let outcome = 'ok';
  let callOutcome = 'ok';
  let sent = false;
  try {
    let body: string | Buffer;
    if (unparsed !== undefined) body = unparsed.body;
    else {
      try {
        body = JSON.stringify(forwarded);
      } catch (error) {
        throw unserialisable(error);
      }
    }
    const token = await deps.credentials.tokenFor(caller.principal, caller.signal, upstream.resource);
    sent = true;
    const passThrough = unparsed === undefined ? {} : { original: unparsed.original, headers: unparsed.headers, passRefusals: true };
    const answered = await upstream.run(
      (signal) => send({ message: forwarded, body, token, traceparent, protocolVersion: caller.protocolVersion, signal, ...passThrough }),
      { timeoutMs: decision.timeoutMs, signal: caller.signal },
    );
    callOutcome = answered.outcome;
    return answered.value;
  } catch (error) {
    outcome = AppError.is(error) ? error.code : 'INTERNAL';
    callOutcome = outcome;
    if (outcome === 'INTERNAL')
      deps.logger.error({ err: error, upstream: upstream.name, method, request_id: caller.requestId }, 'forwarding failed unexpectedly');
    span.recordError(error);
    throw error;
  } finally {
    const seconds = (performance.now() - started) / 1000;
    if (sent) deps.routerMetrics.observeUpstream(upstream.name, method, outcome, seconds);
    if (decision.tool)
      deps.metrics.observeToolCall(decision.tool, callOutcome === 'ok' ? 'ok' : 'error', seconds, callOutcome === 'ok' ? undefined : callOutcome);
    span.end(callOutcome === 'ok' ? 'ok' : 'error');
  }
}
