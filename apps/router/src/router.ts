import type { ServerResponse } from 'node:http';
import type { Principal } from '@mcpfed/auth';
import { FULL_VIEW, LogLevelMemory, claimedRevision, modernResponse } from '@mcpfed/mcp-runtime';
import type { ViewSelection } from '@mcpfed/mcp-runtime';
import type { Logger, Metrics, Tracing } from '@mcpfed/telemetry';
import { Catalog } from './catalog/catalog.ts';
import { LIST_KINDS } from './catalog/catalog.ts';
import type { Collision, ListKind } from './catalog/catalog.ts';
import { forwardToUpstream } from './forward-to-upstream.ts';
import type { ForwardDeps } from './forward-to-upstream.ts';
import { decideRoute } from './route-decision.ts';
import type { RouteDecision } from './route-decision.ts';
import type { RouterCaller } from './router-caller.ts';
import type { RouterMetrics } from './router-metrics.ts';
import { ROUTER_CACHE_HINTS } from './router-cache-hints.ts';
import { parseUnparsedBody } from './unparsed-request.ts';
import type { UnparsedRequest } from './unparsed-request.ts';
import { OutcomePeek } from './upstream/outcome-peek.ts';
import type { Upstream, UpstreamStatus } from './upstream/upstream.ts';
import type { UpstreamCredentials } from './upstream/upstream-credentials.ts';
import { errorResponse } from './upstream/upstream-forwarder.ts';
import type { ForwardRequest, UpstreamNotification } from './upstream/upstream-forwarder.ts';

/** The view a request addresses: `undefined` for the merged catalog at `/mcp`, an upstream name for `/mcp/<name>`. */
export type ViewName = string | undefined;

/** Collaborators of a {@link Router}. */
export interface RouterDeps {
  /** The enabled upstreams, in ROUTER_UPSTREAMS order (the order decides collisions). */
  upstreams: readonly Upstream[];
  /** Which bearer token goes upstream with each caller's requests. */
  credentials: UpstreamCredentials;
  logger: Logger;
  metrics: Metrics;
  routerMetrics: RouterMetrics;
  tracing: Tracing;
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
  /** Log levels callers set with `logging/setLevel`, sent upstream in the `_meta` of their requests before 2026-07-28. */
  readonly logLevels = new LogLevelMemory();
  readonly #deps: RouterDeps;
  readonly #forwardDeps: ForwardDeps;
  readonly #byName = new Map<string, Upstream>();
  readonly #views = new Map<ViewName, Catalog>();
  readonly #listeners = new Map<ViewName, Set<(changed: readonly ListKind[]) => void>>();
  #reportedCollisions = '';

  constructor(deps: RouterDeps) {
    this.#deps = deps;
    this.#forwardDeps = { ...deps, logLevels: this.logLevels };
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
    this.#deps.logger.info(
      { upstreams: this.upstreams.length, tools: this.catalog(undefined).toolCount, down },
      down.length ? 'router started degraded' : 'router started',
    );
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

  /**
   * Where `message` goes in `view` for `principal`, within `selection` (toolsets, read-only, lazy; see
   * {@link decideRoute}). Bad requests and calls outside the view are answered here and never reach an upstream.
   */
  decide(view: ViewName, message: Record<string, unknown>, principal: Principal, selection: ViewSelection = FULL_VIEW): RouteDecision {
    return decideRoute(this.catalog(view), message, principal, selection);
  }

  /**
   * The hot path: forwards `message` and streams the upstream's answer to `res` as it comes (JSON, or SSE with
   * progress notifications). A failure before the upstream answered is written as the request's error response.
   */
  async pipe(
    decision: Extract<RouteDecision, { kind: 'forward' }>,
    message: Record<string, unknown>,
    caller: RouterCaller,
    res: ServerResponse,
  ): Promise<void> {
    const send = async (request: ForwardRequest) => ({ value: undefined, outcome: await decision.upstream.forwarder.pipe(request, res) });
    await forwardToUpstream(this.#forwardDeps, decision, message, caller, send).catch((error: unknown) => {
      if (res.headersSent) return;
      const failed = errorResponse(message, error, caller.requestId);
      const body = JSON.stringify(claimedRevision(message) === undefined ? failed : modernResponse(message['method'] as string, failed, ROUTER_CACHE_HINTS));
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }).end(body);
    });
  }

  /**
   * The 2026-07-28 hot path: forwards a `tools/call` routed on its `Mcp-Method`/`Mcp-Name` headers with its body as
   * the caller sent it (not parsed; the upstream checks the headers against it and refuses a mismatch with 400
   * -32020, which is passed back as is) and streams the answer to `res`. The body is parsed only when the router
   * has to answer itself (the upstream unreachable), for the request's id.
   */
  async pipeUnparsed(
    decision: Extract<RouteDecision, { kind: 'forward' }>,
    unparsed: UnparsedRequest,
    caller: RouterCaller,
    res: ServerResponse,
  ): Promise<void> {
    this.#deps.routerMetrics.observeHeaderRouted(decision.upstream.name);
    let parsed: Record<string, unknown> | undefined;
    const original = (): Record<string, unknown> => (parsed ??= parseUnparsedBody(unparsed.body, decision.method));
    const send = async (request: ForwardRequest) => ({ value: undefined, outcome: await decision.upstream.forwarder.pipe(request, res) });
    await forwardToUpstream(this.#forwardDeps, decision, { jsonrpc: '2.0', id: null, method: decision.method }, caller, send, { ...unparsed, original }).catch(
      (error: unknown) => {
        if (res.headersSent) return;
        const message = original();
        const body = JSON.stringify(modernResponse(decision.method, errorResponse(message, error, caller.requestId), ROUTER_CACHE_HINTS));
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }).end(body);
      },
    );
  }

  /** Forwards `message` and returns the upstream's JSON-RPC response (or the error response), relaying notifications. */
  async exchange(
    decision: Extract<RouteDecision, { kind: 'forward' }>,
    message: Record<string, unknown>,
    caller: RouterCaller,
    onNotification?: (notification: UpstreamNotification) => void,
  ): Promise<Record<string, unknown>> {
    try {
      return await forwardToUpstream(this.#forwardDeps, decision, message, caller, async (request) => {
        const response = await decision.upstream.forwarder.exchange(request, onNotification);
        return { value: response, outcome: OutcomePeek.of(response) };
      });
    } catch (error) {
      const failed = errorResponse(message, error, caller.requestId);
      return claimedRevision(message) === undefined ? failed : modernResponse(message['method'] as string, failed, ROUTER_CACHE_HINTS);
    }
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
        this.#deps.logger.warn(
          collision,
          `name collision: ${collision.kind} "${collision.name}" is served by ${collision.served_by}; the copy of ${collision.hidden.join(', ')} is hidden from /mcp`,
        );
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
