import type { ServerResponse } from 'node:http';
import type { Principal } from '@mcpfed/auth';
import { AppError, toJsonRpcError, toToolErrorResult } from '@mcpfed/errors';
import { parseTraceparent } from '@mcpfed/telemetry';
import type { Logger, Metrics, Tracing } from '@mcpfed/telemetry';
import { Catalog } from './catalog/catalog.ts';
import { LIST_KINDS } from './catalog/catalog.ts';
import type { Collision, ListKind } from './catalog/catalog.ts';
import type { RouterMetrics } from './router-metrics.ts';
import type { ServiceTokens } from './upstream/service-tokens.ts';
import type { Upstream, UpstreamStatus } from './upstream/upstream.ts';
import { errorResponse } from './upstream/upstream-forwarder.ts';
import type { ForwardRequest, UpstreamNotification } from './upstream/upstream-forwarder.ts';

/** Who sent a request to the router, and how. */
export interface RouterCaller {
  principal: Principal;
  requestId: string;
  /** W3C traceparent of the caller (header, or `_meta.traceparent` of the message). */
  traceparent?: string | undefined;
  /** MCP-Protocol-Version header of the caller, passed on. */
  protocolVersion?: string | undefined;
  /** Aborts when the caller goes away. */
  signal?: AbortSignal | undefined;
}

/** The view a request addresses: `undefined` for the merged catalog at `/mcp`, an upstream name for `/mcp/<name>`. */
export type ViewName = string | undefined;

/** What to do with one JSON-RPC message. */
export type RouteDecision =
  | { kind: 'local' }
  | { kind: 'answer'; response: Record<string, unknown> }
  | { kind: 'forward'; upstream: Upstream; method: string; tool?: string | undefined; timeoutMs: number };

/** Collaborators of a {@link Router}. */
export interface RouterDeps {
  /** The enabled upstreams, in ROUTER_UPSTREAMS order (the order decides collisions). */
  upstreams: readonly Upstream[];
  /** Source of service tokens: for a local (stdio) caller, upstream calls carry one acting for it. */
  tokens: ServiceTokens;
  /** Audience of those service tokens. */
  audience: string;
  logger: Logger;
  metrics: Metrics;
  routerMetrics: RouterMetrics;
  tracing: Tracing;
}

/** Methods the router forwards; everything else it answers itself. */
const ROUTED = new Set(['tools/call', 'resources/read', 'prompts/get', 'completion/complete']);

const EMPTY_COMPLETION = { completion: { values: [], hasMore: false } };

function rpcError(id: unknown, error: unknown): Record<string, unknown> {
  return { jsonrpc: '2.0', id: id ?? null, error: toJsonRpcError(error) };
}

/**
 * The routing core, transport-independent: keeps one {@link Catalog} per view (merged, and one per upstream),
 * rebuilt when an upstream changes; decides where each message goes; forwards it under the upstream's
 * isolation with the caller's token and trace context; tells subscribers when a view's catalog changed.
 * Holds no business logic: what a tool does and whether the caller may do it is the upstream's to decide
 * (the router only hides tools the caller's scopes do not allow, and refuses calls to them before forwarding).
 */
export class Router {
  readonly upstreams: readonly Upstream[];
  readonly #deps: RouterDeps;
  readonly #byName = new Map<string, Upstream>();
  readonly #views = new Map<ViewName, Catalog>();
  readonly #listeners = new Map<ViewName, Set<(changed: readonly ListKind[]) => void>>();
  #reportedCollisions = '';

  constructor(deps: RouterDeps) {
    this.#deps = deps;
    this.upstreams = deps.upstreams;
    for (const upstream of deps.upstreams) {
      this.#byName.set(upstream.name, upstream);
      upstream.onChange(() => this.#rebuild(upstream));
    }
    this.#views.set(undefined, new Catalog(deps.upstreams));
    for (const upstream of deps.upstreams) this.#views.set(upstream.name, new Catalog([upstream]));
  }

  /** Whether `name` is an upstream (a valid `/mcp/<name>`). */
  hasView(name: string): boolean {
    return this.#byName.has(name);
  }

  /** The current catalog of a view. */
  catalog(view: ViewName): Catalog {
    return this.#views.get(view) as Catalog;
  }

  /** Name collisions in the merged catalog. */
  get collisions(): readonly Collision[] {
    return this.catalog(undefined).collisions;
  }

  /** Calls `listener` with the lists that changed whenever the catalog of `view` changes (tools, prompts, resources or availability). */
  onCatalogChange(view: ViewName, listener: (changed: readonly ListKind[]) => void): () => void {
    const set = this.#listeners.get(view) ?? new Set();
    set.add(listener);
    this.#listeners.set(view, set);
    return () => set.delete(listener);
  }

  /** Discovers every upstream once; resolves when each has answered or failed (never rejects: starts degraded). */
  async start(): Promise<void> {
    await Promise.all(this.upstreams.map((u) => u.start()));
    const down = this.upstreams.filter((u) => !u.available).map((u) => u.name);
    this.#deps.logger.info({ upstreams: this.upstreams.length, tools: this.catalog(undefined).toolCount, down }, down.length ? 'router started degraded' : 'router started');
  }

  /** Stops discovery and closes every upstream's connections. */
  async close(): Promise<void> {
    await Promise.all(this.upstreams.map((u) => u.close()));
  }

  /** /status: every upstream with health, breaker and counts, and the collisions. */
  status(): { status: 'ok' | 'degraded' | 'down'; upstreams: UpstreamStatus[]; tools: number; collisions: readonly Collision[] } {
    const upstreams = this.upstreams.map((u) => u.status());
    const available = upstreams.filter((u) => u.available).length;
    return {
      status: available === upstreams.length ? 'ok' : available === 0 ? 'down' : 'degraded',
      upstreams,
      tools: this.catalog(undefined).toolCount,
      collisions: this.collisions,
    };
  }

  /** Where `message` goes in `view` for `principal`. Bad requests are answered here and never reach an upstream. */
  decide(view: ViewName, message: Record<string, unknown>, principal: Principal): RouteDecision {
    const method = message['method'] as string;
    if (!ROUTED.has(method) || !('id' in message)) return { kind: 'local' };
    const catalog = this.catalog(view);
    const params = (message['params'] ?? {}) as Record<string, unknown>;
    const id = message['id'];
    if (method === 'tools/call') {
      const name = params['name'];
      if (typeof name !== 'string' || name.length === 0) {
        return { kind: 'answer', response: rpcError(id, new AppError('VALIDATION_FAILED', 'Invalid params for tools/call: params.name must be a tool name')) };
      }
      if (params['arguments'] !== undefined && (params['arguments'] === null || typeof params['arguments'] !== 'object' || Array.isArray(params['arguments']))) {
        return { kind: 'answer', response: rpcError(id, new AppError('VALIDATION_FAILED', 'Invalid params for tools/call: params.arguments must be an object')) };
      }
      const route = catalog.tool(name);
      if (!route) {
        return {
          kind: 'answer',
          response: rpcError(id, new AppError('VALIDATION_FAILED', `Unknown tool: ${name}. Call tools/list to see the tools available to you.`)),
        };
      }
      const missing = route.scopes.filter((scope) => !principal.scopes.has(scope));
      if (missing.length > 0) {
        const forbidden = new AppError('FORBIDDEN', `${name} needs the scope(s) ${missing.join(', ')}, which this token does not grant. Ask for a token with them; do not retry as is.`, {
          details: { required: [...route.scopes], missing },
        });
        return { kind: 'answer', response: { jsonrpc: '2.0', id, result: toToolErrorResult(forbidden) } };
      }
      return { kind: 'forward', upstream: route.upstream, method, tool: name, timeoutMs: route.upstream.timeoutFor(name) };
    }
    if (method === 'resources/read') {
      const uri = params['uri'];
      if (typeof uri !== 'string') return { kind: 'answer', response: rpcError(id, new AppError('VALIDATION_FAILED', 'Invalid params for resources/read: params.uri must be a URI')) };
      const upstream = catalog.resource(uri);
      if (!upstream) {
        return {
          kind: 'answer',
          response: rpcError(id, new AppError('NOT_FOUND', `No resource matches ${uri}. List resources and resource templates to see what is served.`, { details: { uri } })),
        };
      }
      return { kind: 'forward', upstream, method, timeoutMs: upstream.timeoutFor() };
    }
    if (method === 'prompts/get') {
      const name = params['name'];
      const upstream = typeof name === 'string' ? catalog.prompt(name) : undefined;
      if (!upstream) {
        return { kind: 'answer', response: rpcError(id, new AppError('VALIDATION_FAILED', `Unknown prompt: ${String(name)}. List prompts to see what is offered.`)) };
      }
      return { kind: 'forward', upstream, method, timeoutMs: upstream.timeoutFor() };
    }
    // completion/complete: to the upstream of the prompt or resource it completes, if that one offers completions.
    const ref = (params['ref'] ?? {}) as Record<string, unknown>;
    const upstream =
      ref['type'] === 'ref/prompt' && typeof ref['name'] === 'string'
        ? catalog.prompt(ref['name'])
        : ref['type'] === 'ref/resource' && typeof ref['uri'] === 'string'
          ? catalog.resource(ref['uri'])
          : undefined;
    if (!upstream || upstream.snapshot?.capabilities['completions'] === undefined) {
      return { kind: 'answer', response: { jsonrpc: '2.0', id, result: EMPTY_COMPLETION } };
    }
    return { kind: 'forward', upstream, method, timeoutMs: upstream.timeoutFor() };
  }

  /**
   * The hot path: forwards `message` and streams the upstream's answer to `res` as it comes (JSON, or SSE with
   * progress notifications). A failure before the upstream answered is written as the request's error response.
   */
  async pipe(decision: Extract<RouteDecision, { kind: 'forward' }>, message: Record<string, unknown>, caller: RouterCaller, res: ServerResponse): Promise<void> {
    await this.#forward(decision, message, caller, (request) => decision.upstream.forwarder.pipe(request, res)).catch((error: unknown) => {
      if (res.headersSent) return;
      const body = JSON.stringify(errorResponse(message, error, caller.requestId));
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }).end(body);
    });
  }

  /** Forwards `message` and returns the upstream's JSON-RPC response (or the error response), relaying notifications. */
  async exchange(
    decision: Extract<RouteDecision, { kind: 'forward' }>,
    message: Record<string, unknown>,
    caller: RouterCaller,
    onNotification?: (notification: UpstreamNotification) => void,
  ): Promise<Record<string, unknown>> {
    try {
      return await this.#forward(decision, message, caller, (request) => decision.upstream.forwarder.exchange(request, onNotification));
    } catch (error) {
      return errorResponse(message, error, caller.requestId);
    }
  }

  async #forward<T>(
    decision: Extract<RouteDecision, { kind: 'forward' }>,
    message: Record<string, unknown>,
    caller: RouterCaller,
    send: (request: ForwardRequest) => Promise<T>,
  ): Promise<T> {
    const { upstream, method } = decision;
    const params = (message['params'] ?? {}) as Record<string, unknown>;
    const meta = (params['_meta'] ?? {}) as Record<string, unknown>;
    const incoming = typeof meta['traceparent'] === 'string' ? meta['traceparent'] : caller.traceparent;
    const parent = parseTraceparent(incoming);
    const span = this.#deps.tracing.startSpan(`router ${method}`, {
      kind: 'client',
      ...(parent ? { parent } : {}),
      attributes: { 'mcpfed.upstream': upstream.name, ...(decision.tool ? { 'mcp.tool': decision.tool } : {}) },
    });
    const traceparent = span.context.traceparent;
    const forwarded = { ...message, params: { ...params, _meta: { ...meta, traceparent } } };
    const started = performance.now();
    let outcome = 'ok';
    try {
      const token = await this.#tokenFor(caller);
      return await upstream.run(
        (signal) => send({ message: forwarded, token, traceparent, protocolVersion: caller.protocolVersion, signal }),
        { timeoutMs: decision.timeoutMs, signal: caller.signal },
      );
    } catch (error) {
      outcome = AppError.is(error) ? error.code : 'INTERNAL';
      if (outcome === 'INTERNAL') this.#deps.logger.error({ err: error, upstream: upstream.name, method, request_id: caller.requestId }, 'forwarding failed unexpectedly');
      span.recordError(error);
      throw error;
    } finally {
      const seconds = (performance.now() - started) / 1000;
      this.#deps.routerMetrics.observeUpstream(upstream.name, method, outcome, seconds);
      if (decision.tool) this.#deps.metrics.observeToolCall(decision.tool, outcome === 'ok' ? 'ok' : 'error', seconds, outcome === 'ok' ? undefined : outcome);
      span.end(outcome === 'ok' ? 'ok' : 'error');
    }
  }

  /** A user's own token goes on unchanged (the upstream verifies it again); a local caller's calls carry a service token acting for it. */
  #tokenFor(caller: RouterCaller): Promise<string> {
    const { principal } = caller;
    if (principal.kind !== 'local' && principal.token) return Promise.resolve(principal.token);
    return this.#deps.tokens.token({ audience: this.#deps.audience, actingFor: principal.id, ...(caller.signal ? { signal: caller.signal } : {}) });
  }

  #rebuild(changed: Upstream): void {
    const merged = new Catalog(this.upstreams);
    const single = new Catalog([changed]);
    this.#swap(undefined, merged);
    this.#swap(changed.name, single);
    const collisions = JSON.stringify(merged.collisions);
    if (collisions !== this.#reportedCollisions) {
      this.#reportedCollisions = collisions;
      for (const collision of merged.collisions) {
        this.#deps.logger.warn(collision, `name collision: ${collision.kind} "${collision.name}" is served by ${collision.served_by}; the copy of ${collision.hidden.join(', ')} is hidden from /mcp`);
      }
    }
  }

  #swap(view: ViewName, catalog: Catalog): void {
    const before = this.#views.get(view);
    this.#views.set(view, catalog);
    const changed = LIST_KINDS.filter((kind) => before?.fingerprints[kind] !== catalog.fingerprints[kind]);
    if (changed.length === 0) return;
    for (const listener of this.#listeners.get(view) ?? []) listener(changed);
  }
}

