import { LATEST_PROTOCOL_VERSION } from '@modelcontextprotocol/sdk/types.js';
import type { z } from 'zod';
import type { ToolContract } from '@mcpfed/contract-common';
import { AppError } from '@mcpfed/errors';
import { createUpstreamPolicy } from '@mcpfed/resilience';
import type { BreakerState } from '@mcpfed/resilience';
import { childTraceContext, parseTraceparent } from '@mcpfed/telemetry';
import type { FederationCallContext } from './federation-call-context.ts';
import { validateFederationClientConfig } from './federation-client-config.ts';
import type { FederationClientConfig } from './federation-client-config.ts';
import { McpHttpClient } from './mcp-http-client.ts';
import { readRpcAnswer } from './read-rpc-answer.ts';
import { toolCallResult } from './tool-call-result.ts';

/** A typed, validated, resilient caller of one upstream's tools. */
export interface FederationClient {
  /** The upstream's logical name. */
  readonly name: string;
  /** The circuit breaker's state. */
  readonly breakerState: BreakerState;
  /**
   * Calls `tool` on the upstream. `input` is validated against tool.input before sending (VALIDATION_FAILED, nothing sent),
   * the result's structuredContent against tool.output. A tool error result rejects with an AppError carrying the
   * upstream's code, message, retryable and details unchanged (no double prefixes). An HTTP status that is not an
   * answer maps as {@link upstreamStatusError} says (401 UNAUTHENTICATED, 403 FORBIDDEN, 429 RATE_LIMITED, 408/504
   * TIMEOUT, 5xx UPSTREAM_UNAVAILABLE, …); transport failure, open breaker, full concurrency limit ->
   * UPSTREAM_UNAVAILABLE (retryable); attempt timeout -> TIMEOUT. Retries only retryable codes, with the same
   * arguments (so the same idempotency key).
   */
  call<I extends z.ZodObject, O extends z.ZodObject>(tool: ToolContract<I, O>, input: z.input<I>, context?: FederationCallContext): Promise<z.output<O>>;
  /** Stops the breaker-state metric and closes the pooled connections (waits for calls in flight). */
  close(): Promise<void>;
}

const BREAKER_VALUE: Readonly<Record<BreakerState, number>> = { closed: 0, 'half-open': 1, open: 2 };
const MAX_VALIDATION_ISSUES = 10;

let nextRpcId = 1;

/**
 * A client of one upstream's tools, for the servers of this federation: stateless Streamable HTTP
 * (no initialize handshake; the servers accept `tools/call` directly) over the shared {@link McpHttpClient},
 * JSON or SSE answers, and the upstream policy of @mcpfed/resilience
 * (retry -> circuit breaker -> concurrency limit -> timeout). Each attempt carries a token addressed to the upstream:
 * exchanged for the caller's (`subjectToken`) or the service's own; an upstream 401 fetches a fresh one once and repeats
 * that attempt.
 * @throws AppError VALIDATION_FAILED for an invalid configuration.
 */
export function createFederationClient(config: FederationClientConfig): FederationClient {
  const settings = validateFederationClientConfig(config);
  const { name, logger, metrics, tracing, tokens } = config;
  const audience = config.audience ?? config.url;
  const http = new McpHttpClient({ name, url: config.url, connections: settings.concurrency, connectTimeoutMs: Math.min(settings.timeoutMs, 5000) });
  const policy = createUpstreamPolicy({
    name,
    timeoutMs: settings.timeoutMs,
    ...(config.retry === undefined ? {} : { retry: config.retry }),
    // The breaker asks the upstream's readiness while open, so calls resume within a probe interval of its return.
    breaker: { probe: (signal) => http.ready(signal), ...config.breaker },
    concurrency: settings.concurrency,
  });
  const stopGauge = metrics?.gauge(
    'upstream_breaker_state',
    'State of the circuit breaker guarding calls to each upstream: 0 closed, 1 half-open, 2 open.',
    ['upstream'],
    (set) => set({ upstream: name }, BREAKER_VALUE[policy.breakerState]),
  );
  const stopListening = policy.onBreakerStateChange((state) => {
    const log = state === 'closed' ? logger.info.bind(logger) : logger.warn.bind(logger);
    log({ upstream: name, breaker: state }, `circuit breaker of upstream ${name} is ${state}`);
  });

  function relayProgress(context: FederationCallContext, progressToken: string | undefined, message: Record<string, unknown>): void {
    if (progressToken === undefined || message['method'] !== 'notifications/progress') return;
    const params = message['params'] as Record<string, unknown> | undefined;
    if (params?.['progressToken'] !== progressToken || typeof params['progress'] !== 'number') return;
    try {
      context.onProgress?.({
        progress: params['progress'],
        ...(typeof params['total'] === 'number' ? { total: params['total'] } : {}),
        ...(typeof params['message'] === 'string' ? { message: params['message'] } : {}),
      });
    } catch (error) {
      logger.warn({ err: error, upstream: name, request_id: context.requestId }, 'onProgress threw; progress ignored');
    }
  }

  async function attempt(
    tool: ToolContract,
    args: unknown,
    traceparent: string | undefined,
    context: FederationCallContext,
    signal: AbortSignal,
  ): Promise<Record<string, unknown>> {
    const id = nextRpcId++;
    if (nextRpcId >= Number.MAX_SAFE_INTEGER) nextRpcId = 1;
    const progressToken = context.onProgress === undefined ? undefined : `${name}:${id}`;
    const meta: Record<string, unknown> = {};
    if (progressToken !== undefined) meta['progressToken'] = progressToken;
    if (traceparent !== undefined) meta['traceparent'] = traceparent;
    const body = JSON.stringify({
      jsonrpc: '2.0',
      id,
      method: 'tools/call',
      params: { name: tool.name, arguments: args, ...(Object.keys(meta).length > 0 ? { _meta: meta } : {}) },
    });
    const tokenRequest = { audience, signal, ...(context.subjectToken === undefined ? {} : { subjectToken: context.subjectToken }) };
    const request = { body, traceparent, protocolVersion: LATEST_PROTOCOL_VERSION, signal };
    let answer = await http.post({ ...request, token: await tokens.token(tokenRequest), passStatuses: [401] });
    if (answer.statusCode === 401) {
      // The cached token may have been revoked or signed by a rotated key: one fresh token, one more try.
      await answer.body.dump();
      answer = await http.post({ ...request, token: await tokens.token({ ...tokenRequest, refresh: true }) });
    }
    const contentType = String(answer.headers['content-type'] ?? '');
    if (!contentType.includes('application/json') && !contentType.includes('text/event-stream')) {
      await answer.body.dump();
      return toolCallResult(name, tool.name, undefined);
    }
    const { response } = await readRpcAnswer(answer.body, contentType, id, (message) => relayProgress(context, progressToken, message));
    return toolCallResult(name, tool.name, response);
  }

  async function call<I extends z.ZodObject, O extends z.ZodObject>(
    tool: ToolContract<I, O>,
    input: z.input<I>,
    context: FederationCallContext = {},
  ): Promise<z.output<O>> {
    const started = performance.now();
    const parent = parseTraceparent(context.traceparent);
    const span = tracing?.startSpan(`federation ${name} ${tool.name}`, {
      kind: 'client',
      ...(parent ? { parent } : {}),
      attributes: { 'mcp.tool': tool.name, 'mcpfed.upstream': name },
    });
    // Without tracing, the caller's span is the upstream's parent; with no caller context, a new trace begins.
    const traceparent = span?.context.traceparent ?? (parent ? context.traceparent : childTraceContext(undefined).traceparent);
    let outcome = 'ok';
    try {
      const checked = tool.input.safeParse(input);
      if (!checked.success) throw invalidInput(tool.name, checked.error);
      const structured = await policy.execute((signal) => attempt(tool, input, traceparent, context, signal), context.signal);
      const output = tool.output.safeParse(structured);
      if (!output.success) {
        throw new AppError('INTERNAL', `upstream "${name}" answered ${tool.name} with output that does not match its contract`, {
          details: { upstream: name, issues: issuesOf(output.error) },
          cause: output.error,
        });
      }
      return output.data;
    } catch (error) {
      outcome = AppError.is(error) ? error.code : 'INTERNAL';
      span?.recordError(error);
      if (outcome === 'INTERNAL' || outcome === 'UPSTREAM_UNAVAILABLE' || outcome === 'TIMEOUT') {
        logger.warn({ err: error, upstream: name, tool: tool.name, code: outcome, request_id: context.requestId }, 'federation call failed');
      }
      throw error;
    } finally {
      metrics?.observeUpstreamCall(name, tool.name, outcome, (performance.now() - started) / 1000);
      span?.setAttribute('mcp.outcome', outcome);
      span?.end(outcome === 'ok' ? 'ok' : 'error');
    }
  }

  return Object.freeze({
    name,
    get breakerState(): BreakerState {
      return policy.breakerState;
    },
    call,
    async close(): Promise<void> {
      stopGauge?.();
      stopListening();
      policy.close();
      await http.close();
    },
  });
}

function issuesOf(error: z.ZodError): Array<{ path: string; message: string }> {
  return error.issues.slice(0, MAX_VALIDATION_ISSUES).map((issue) => ({ path: issue.path.map(String).join('.') || '(root)', message: issue.message }));
}

function invalidInput(toolName: string, error: z.ZodError): AppError {
  const issues = issuesOf(error);
  return new AppError('VALIDATION_FAILED', `Invalid arguments for ${toolName}: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`, {
    details: { issues },
  });
}
