import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { z } from 'zod';
import type { Principal } from '@mcpfed/auth';
import { FULL_VIEW, LAZY_TOOL_DEFINITIONS, LOG_LEVELS, ProtocolError, isLogLevel, CATALOG_INSTRUCTIONS, taskCapabilities } from '@mcpfed/mcp-runtime';
import type { ServerIcon, ViewSelection } from '@mcpfed/mcp-runtime';
import { newRequestId } from '@mcpfed/telemetry';
import type { Logger } from '@mcpfed/telemetry';
import { missingScopes } from './catalog/catalog.ts';
import { viewTools } from './catalog/catalog-view.ts';
import type { Router, ViewName } from './router.ts';
import type { RouterCaller } from './router-caller.ts';

/** What the HTTP layer attaches to each message it hands to the router's SDK server (`authInfo.extra.mcpfed`). */
export interface CallerAttachment {
  principal: Principal;
  requestId: string;
  traceparent?: string | undefined;
  protocolVersion?: string | undefined;
  /** The view the caller connected to (path `/mcp/x/…`, `/mcp/readonly`, or the X-MCP-* headers); default every tool. */
  selection?: ViewSelection | undefined;
}

interface HandlerExtra {
  signal: AbortSignal;
  authInfo?: { extra?: Record<string, unknown> } | undefined;
  sendNotification: (notification: never) => Promise<void>;
}

/** What the router reports of itself at initialize (`serverInfo`). */
export interface RouterServerInfo {
  name: string;
  version: string;
  title?: string;
  description?: string;
  /** data: URIs only: a client fetches nothing from another host. */
  icons?: readonly ServerIcon[];
}

/** Options of {@link createRouterServer}. */
export interface RouterServerOptions {
  router: Router;
  /** Which catalog it serves: the merged one, or one upstream's. */
  view: ViewName;
  /** Router name, version, description and icons reported at initialize. */
  serverInfo: RouterServerInfo;
  logger: Logger;
  /** The caller of a connection without per-request identity (stdio). */
  connectionPrincipal?: Principal;
  /** The view of a connection without per-request attachments (stdio). Default every tool. */
  selection?: ViewSelection;
}

const INSTRUCTIONS =
  'mcpfed: one endpoint over the commerce federation (customers, orders, products and inventory, payments). ' +
  'Tool names start with their domain. ' +
  CATALOG_INSTRUCTIONS +
  ' UPSTREAM_UNAVAILABLE means that domain is down for now: retry after details.retry_after_ms, other domains keep working.';

/**
 * The SDK `Server` of one view of the router: it answers initialize, ping and the lists itself (tools filtered by
 * the caller's scopes; resources listed by each upstream for the caller) and forwards the routed methods
 * (tools/call, resources/read, prompts/get, completion/complete) through the {@link Router}, relaying progress.
 * HTTP uses it for everything but a single routed request (which takes the lean path); stdio for everything.
 */
export function createRouterServer(options: RouterServerOptions): Server {
  const { router, view } = options;
  const { icons, ...info } = options.serverInfo;
  // Task-augmented tools/call passes through to the tool's server, which answers -32601 for a tool without
  // task support (execution.taskSupport, listed as the server lists it).
  const server = new Server(
    { ...info, ...(icons ? { icons: icons.map(({ sizes, ...icon }) => ({ ...icon, ...(sizes ? { sizes: [...sizes] } : {}) })) } : {}) },
    {
      capabilities: {
        tools: { listChanged: true },
        resources: { listChanged: true },
        prompts: { listChanged: true },
        completions: {},
        logging: {},
        ...taskCapabilities('2025-11-25'),
      },
      instructions: INSTRUCTIONS,
    },
  );
  const selectionOf = (extra: HandlerExtra): ViewSelection =>
    (extra.authInfo?.extra?.['mcpfed'] as CallerAttachment | undefined)?.selection ?? options.selection ?? FULL_VIEW;
  const callerOf = (extra: HandlerExtra): RouterCaller => {
    const attachment = extra.authInfo?.extra?.['mcpfed'] as CallerAttachment | undefined;
    const principal = attachment?.principal ?? options.connectionPrincipal;
    if (!principal) throw new ProtocolError(-32600, 'unauthenticated request');
    return {
      principal,
      requestId: attachment?.requestId ?? newRequestId(),
      traceparent: attachment?.traceparent,
      protocolVersion: attachment?.protocolVersion,
      signal: extra.signal,
    };
  };
  const on = (method: string, handle: (params: Record<string, unknown>, extra: HandlerExtra) => Promise<unknown>) => {
    server.setRequestHandler(
      z.looseObject({ method: z.literal(method), params: z.unknown().optional() }) as never,
      (async (request: { params?: unknown }, extra: unknown) => handle((request.params ?? {}) as Record<string, unknown>, extra as HandlerExtra)) as never,
    );
  };
  on('tools/list', async (_params, extra) => {
    const selection = selectionOf(extra);
    return { tools: selection.lazy ? LAZY_TOOL_DEFINITIONS : viewTools(router.catalog(view), callerOf(extra).principal.scopes, selection) };
  });
  // The router keeps no sessions: a level set here holds for the caller's later requests through this router
  // process, which forwards it upstream in each request's `_meta` (MCP 2026-07-28's per-request level).
  on('logging/setLevel', async (params, extra) => {
    if (!isLogLevel(params['level'])) throw new ProtocolError(-32602, `Invalid params for logging/setLevel: level must be one of ${LOG_LEVELS.join(', ')}`);
    router.logLevels.set(callerOf(extra).principal.id, params['level']);
    return {};
  });
  on('prompts/list', async (_params, extra) => ({ prompts: router.catalog(view).listPrompts(callerOf(extra).principal.scopes) }));
  on('resources/templates/list', async (_params, extra) => ({
    resourceTemplates: router.catalog(view).listResourceTemplates(callerOf(extra).principal.scopes),
  }));
  on('resources/list', async (_params, extra) => {
    // What a caller may list depends on its scopes, so each upstream lists for the caller (with the token that
    // goes upstream for it), and the router drops what the published scopes do not allow either; an upstream
    // that is down is skipped, not fatal.
    const caller = callerOf(extra);
    const scopes = caller.principal.scopes;
    const catalog = router.catalog(view);
    const lists = await Promise.all(
      catalog.upstreams.map(async (upstream) => {
        if (!upstream.available || upstream.snapshot?.capabilities['resources'] === undefined) return [];
        const response = await router.exchange(
          { kind: 'forward', upstream, method: 'resources/list', timeoutMs: upstream.timeoutFor() },
          { jsonrpc: '2.0', id: 0, method: 'resources/list', params: {} },
          caller,
        );
        const resources = (response['result'] as { resources?: unknown } | undefined)?.resources;
        if (!Array.isArray(resources)) {
          options.logger.warn({ upstream: upstream.name, error: response['error'] }, 'resources/list failed on an upstream; its resources are left out');
          return [];
        }
        return resources as Array<Record<string, unknown>>;
      }),
    );
    const seen = new Set<string>();
    const allowed = (uri: string) => {
      const route = catalog.resource(uri);
      return route === undefined || missingScopes(route, scopes).length === 0;
    };
    return { resources: lists.flat().filter((r) => allowed(String(r['uri'])) && !seen.has(String(r['uri'])) && seen.add(String(r['uri']))) };
  });
  // The routed methods bypass the SDK's request and result schemas: the upstream already answered in the
  // spec's shape, and its answer passes through unchanged.
  server.fallbackRequestHandler = (async (request: { method: string; params?: unknown }, extra: unknown) => {
    const caller = callerOf(extra as HandlerExtra);
    const message = { jsonrpc: '2.0', id: 0, method: request.method, ...(request.params === undefined ? {} : { params: request.params }) };
    const decision = router.decide(view, message, caller.principal, selectionOf(extra as HandlerExtra));
    if (decision.kind === 'local') throw new ProtocolError(-32601, `Method not found: ${request.method}`);
    const response =
      decision.kind === 'answer'
        ? decision.response
        : await router.exchange(decision, message, caller, (notification) => {
            const method = notification['method'];
            if (method === 'notifications/progress' || method === 'notifications/message')
              void (extra as HandlerExtra).sendNotification(notification as never).catch(() => undefined);
          });
    const error = response['error'] as { code: number; message: string; data?: unknown } | undefined;
    if (error) throw new ProtocolError(error.code, error.message, error.data);
    return response['result'];
  }) as never;
  return server;
}
