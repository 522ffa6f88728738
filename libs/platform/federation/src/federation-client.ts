import { LATEST_PROTOCOL_VERSION } from '@modelcontextprotocol/sdk/types.js';
import { Pool } from 'undici';
import type { z } from 'zod';
import type { ServiceTokenSource } from '@mcpfed/auth';
import type { ToolContract } from '@mcpfed/contract-common';
import { AppError, JSON_RPC } from '@mcpfed/errors';
import { createUpstreamPolicy } from '@mcpfed/resilience';
import type { BreakerState, CircuitBreakerConfig, RetryConfig } from '@mcpfed/resilience';
import { childTraceContext, parseTraceparent } from '@mcpfed/telemetry';
import type { Logger, Metrics, Tracing } from '@mcpfed/telemetry';
import { readRpcAnswer } from './read-rpc-answer.ts';
import { upstreamError } from './upstream-error.ts';

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

/** Per-call data of {@link FederationClient.call} (docs/conventions.md: the request context travels with the call). */
export interface FederationCallContext {
  /** Aborts the call (all attempts and backoff waits); the call then rejects with TIMEOUT (or the signal's AppError reason). */
  signal?: AbortSignal;
  /**
   * The access token of the caller this call is made for: exchanged (RFC 8693, via the token source) for one addressed
   * to this upstream, whose `sub` stays the caller and whose `act` names this service, so the upstream applies the
   * caller's scopes, limits, customer binding and audit. Absent: the service's own token (work done for nobody).
   */
  subjectToken?: string;
  /** W3C trace context to continue, sent as the `traceparent` header and as `_meta.traceparent`. */
  traceparent?: string;
  /** The caller's request id, for log lines about this call. */
  requestId?: string;
  /** Receives the upstream's progress notifications; only when given is `_meta.progressToken` sent. */
  onProgress?: (progress: { progress: number; total?: number; message?: string }) => void;
}

/** A typed, validated, resilient caller of one upstream's tools. */
export interface FederationClient {
  /** The upstream's logical name. */
  readonly name: string;
  /** The circuit breaker's state. */
  readonly breakerState: BreakerState;
  /**
   * Calls `tool` on the upstream. `input` is validated against tool.input before sending (VALIDATION_FAILED, nothing sent),
   * the result's structuredContent against tool.output. A tool error result rejects with an AppError carrying the
   * upstream's code, message, retryable and details unchanged (no double prefixes). Transport failure, 5xx, open breaker,
   * full concurrency limit -> UPSTREAM_UNAVAILABLE (retryable); attempt timeout -> TIMEOUT. Retries only retryable codes,
   * with the same arguments (so the same idempotency key).
   */
  call<I extends z.ZodObject, O extends z.ZodObject>(tool: ToolContract<I, O>, input: z.input<I>, context?: FederationCallContext): Promise<z.output<O>>;
  /** Stops the breaker-state metric and closes the pooled connections (waits for calls in flight). */
  close(): Promise<void>;
}

const BREAKER_VALUE: Readonly<Record<BreakerState, number>> = { closed: 0, 'half-open': 1, open: 2 };
const MAX_VALIDATION_ISSUES = 10;
/** Characters of an unexpected answer kept for the log. */
const MAX_LOGGED_BODY = 500;

let nextRpcId = 1;

/**
 * A client of one upstream's tools, for the servers of this federation: stateless Streamable HTTP
 * (no initialize handshake; the servers accept `tools/call` directly), a keep-alive undici `Pool` posting
 * the JSON-RPC request as is, JSON or SSE answers, and the upstream policy of @mcpfed/resilience
 * (retry -> circuit breaker -> concurrency limit -> timeout). Each attempt carries a token addressed to the upstream:
 * exchanged for the caller's (`subjectToken`) or the service's own; an upstream 401 fetches a fresh one once and repeats
 * that attempt.
 * @throws AppError VALIDATION_FAILED for an invalid configuration.
 */
export function createFederationClient(config: FederationClientConfig): FederationClient {
  const settings = validate(config);
  const { name, logger, metrics, tracing, tokens } = config;
  const audience = config.audience ?? config.url;
  const endpoint = new URL(config.url);
  const path = `${endpoint.pathname}${endpoint.search}`;
  const pool = new Pool(endpoint.origin, {
    connections: settings.concurrency,
    keepAliveTimeout: 30_000,
    connect: { timeout: Math.min(settings.timeoutMs, 5000) },
  });
  // Every mcpfed server answers /readyz with 200 once its database and Redis answer (docs/architecture.md §2): the
  // breaker asks it while open, so calls resume within a probe interval of the upstream's return.
  const readiness = async (signal: AbortSignal): Promise<void> => {
    const res = await pool.request({ path: '/readyz', method: 'GET', signal });
    await res.body.dump();
    if (res.statusCode !== 200) throw new Error(`readyz answered ${res.statusCode}`);
  };
  const policy = createUpstreamPolicy({
    name,
    timeoutMs: settings.timeoutMs,
    ...(config.retry === undefined ? {} : { retry: config.retry }),
    breaker: { probe: readiness, ...config.breaker },
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

  interface Exchange {
    status: number;
    headers: Record<string, string | string[] | undefined>;
    response: Record<string, unknown> | undefined;
    text: string | undefined;
  }

  async function post(token: string, body: string, id: number, traceparent: string | undefined, progressToken: string | undefined, context: FederationCallContext, signal: AbortSignal): Promise<Exchange> {
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      'mcp-protocol-version': LATEST_PROTOCOL_VERSION,
      authorization: `Bearer ${token}`,
    };
    if (traceparent !== undefined) headers['traceparent'] = traceparent;
    const res = await pool.request({ path, method: 'POST', headers, body, signal });
    const contentType = String(res.headers['content-type'] ?? '');
    if (res.statusCode !== 200 || !(contentType.includes('application/json') || contentType.includes('text/event-stream'))) {
      const text = await res.body.text();
      return { status: res.statusCode, headers: res.headers, response: undefined, text };
    }
    const answer = await readRpcAnswer(res.body, contentType, id, (message) => {
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
    });
    return { status: 200, headers: res.headers, response: answer.response, text: undefined };
  }

  async function attempt(tool: ToolContract, args: unknown, traceparent: string | undefined, context: FederationCallContext, signal: AbortSignal): Promise<Record<string, unknown>> {
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
    let exchange = await post(await tokens.token(tokenRequest), body, id, traceparent, progressToken, context, signal);
    if (exchange.status === 401) {
      // The cached token may have been revoked or signed by a rotated key: one fresh token, one more try.
      exchange = await post(await tokens.token({ ...tokenRequest, refresh: true }), body, id, traceparent, progressToken, context, signal);
    }
    return interpret(tool, exchange);
  }

  function interpret(tool: ToolContract, exchange: Exchange): Record<string, unknown> {
    const { status } = exchange;
    if (status !== 200) {
      const logged = exchange.text?.slice(0, MAX_LOGGED_BODY);
      if (status >= 500 || status === 429 || status === 408) {
        const retryAfter = Number(exchange.headers['retry-after']);
        throw new AppError('UPSTREAM_UNAVAILABLE', `upstream "${name}" is temporarily unavailable (HTTP ${status})`, {
          details: { upstream: name, status, ...(Number.isFinite(retryAfter) && retryAfter >= 0 ? { retry_after_ms: retryAfter * 1000 } : {}) },
          cause: new Error(`HTTP ${status}: ${logged ?? ''}`),
        });
      }
      // 401 after a fresh token, 403 from the Origin/Host check, 4xx of the protocol: a misconfiguration or a
      // bug, not something the caller can fix or a retry can change.
      throw new AppError('INTERNAL', `upstream "${name}" refused the request for ${tool.name} with HTTP ${status}`, {
        details: { upstream: name, status },
        cause: new Error(`HTTP ${status}: ${logged ?? ''}`),
      });
    }
    const response = exchange.response;
    if (response === undefined) {
      // The stream ended before the response: the connection broke mid-call; the outcome is unknown, and a
      // retry with the same arguments (the same idempotency key) settles it.
      throw new AppError('UPSTREAM_UNAVAILABLE', `upstream "${name}" closed the stream before answering ${tool.name}`, { details: { upstream: name } });
    }
    if ('error' in response) {
      const error = response['error'] as Record<string, unknown> | undefined;
      const fromData = upstreamError(error?.['data'], name);
      if (fromData) throw fromData;
      const code = error?.['code'];
      const message = typeof error?.['message'] === 'string' ? error['message'] : 'no message';
      if (code === JSON_RPC.REQUEST_TIMEOUT) throw new AppError('TIMEOUT', `upstream "${name}" timed out: ${message}`, { details: { upstream: name } });
      throw new AppError('INTERNAL', `upstream "${name}" answered ${tool.name} with JSON-RPC error ${String(code)}: ${message}`, { details: { upstream: name, rpc_code: code } });
    }
    const result = response['result'] as Record<string, unknown> | undefined;
    if (typeof result !== 'object' || result === null) {
      throw new AppError('INTERNAL', `upstream "${name}" answered ${tool.name} without a result`, { details: { upstream: name } });
    }
    const structured = result['structuredContent'] as Record<string, unknown> | undefined;
    if (result['isError'] === true) {
      const fromResult = upstreamError(structured?.['error'], name);
      if (fromResult) throw fromResult;
      throw new AppError('INTERNAL', `upstream "${name}" reported a failure of ${tool.name} without an error payload`, { details: { upstream: name } });
    }
    if (typeof structured !== 'object' || structured === null || Array.isArray(structured)) {
      throw new AppError('INTERNAL', `upstream "${name}" answered ${tool.name} without structuredContent`, { details: { upstream: name } });
    }
    return structured;
  }

  async function call<I extends z.ZodObject, O extends z.ZodObject>(tool: ToolContract<I, O>, input: z.input<I>, context: FederationCallContext = {}): Promise<z.output<O>> {
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
      await pool.close();
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

function validate(config: FederationClientConfig): { timeoutMs: number; concurrency: number } {
  const invalid = (message: string): never => {
    throw new AppError('VALIDATION_FAILED', `createFederationClient: ${message}`);
  };
  if (typeof config.name !== 'string' || !/^[a-z][a-z0-9-]*$/.test(config.name)) invalid('name must match [a-z][a-z0-9-]*');
  if (typeof config.url !== 'string' || !URL.canParse(config.url) || !/^https?:$/.test(new URL(config.url).protocol)) invalid(`url of upstream ${config.name} must be an absolute http(s) URL`);
  if (typeof config.tokens?.token !== 'function') invalid('tokens must be a ServiceTokenSource');
  if (config.audience !== undefined && (typeof config.audience !== 'string' || config.audience.length === 0)) invalid('audience must be a non-empty string');
  const timeoutMs = config.timeoutMs ?? 5000;
  if (!Number.isSafeInteger(timeoutMs) || timeoutMs < 1) invalid('timeoutMs must be an integer >= 1');
  const concurrency = config.concurrency ?? 64;
  if (!Number.isSafeInteger(concurrency) || concurrency < 1) invalid('concurrency must be an integer >= 1');
  return { timeoutMs, concurrency };
}
