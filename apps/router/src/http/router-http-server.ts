import type { IncomingMessage, ServerResponse } from 'node:http';
import type { MessageExtraInfo } from '@modelcontextprotocol/sdk/types.js';
import { JSON_RPC } from '@mcpfed/errors';
import {
  RESOURCE_METADATA_PATH,
  authenticateMcpRequest,
  checkMcpPost,
  challengeMissingScopes,
  claimedRevision,
  createMcpHttpServer,
  drainHttp,
  innerRequest,
  listenHttp,
  modernErrorStatus,
  modernResponse,
  receiveMcpPost,
  sendJson,
  sendRpcError,
} from '@mcpfed/mcp-runtime';
import type { OperationalRoutes } from '@mcpfed/mcp-runtime';
import { cancellationError } from '@mcpfed/resilience';
import { newRequestId } from '@mcpfed/telemetry';
import { outsideView } from '../catalog/catalog-view.ts';
import { LocalTransport } from '../local-transport.ts';
import { ROUTER_CACHE_HINTS } from '../router-cache-hints.ts';
import type { ViewName } from '../router.ts';
import type { RouterCaller } from '../router-caller.ts';
import { createRouterServer } from '../router-protocol.ts';
import { routeByHeaders } from './header-route.ts';
import { NotificationStreams } from './notification-streams.ts';
import { requestView } from './request-view.ts';
import type { RequestView } from './request-view.ts';
import { LEGACY_STREAM, listenDialect } from './stream-dialect.ts';
import type { CallerAttachment } from '../router-protocol.ts';
import type { RouterHttpConfig, RouterHttpHandle } from './router-http-config.ts';

/**
 * The router's Streamable HTTP listener on `node:http`:
 * - `POST /mcp` (merged catalog) and `POST /mcp/<upstream>` (that upstream alone): the same edge checks as every
 *   server (Origin/Host, bearer token, Accept, Content-Type, protocol version, body and batch size, JSON-RPC
 *   shape). A single routed request (tools/call, resources/read, prompts/get, completion/complete) takes the
 *   lean path: passed to the upstream with the caller's token and trace context, its answer (JSON, or SSE with
 *   progress) streamed back. Everything else, and every message of a batch, goes through the router's SDK server.
 * - `GET /mcp[/<upstream>]` with `Accept: text/event-stream`: a notification stream that receives
 *   `notifications/{tools,prompts,resources}/list_changed` when that view's catalog changes. This is what a
 *   "session" is for a stateless router: whoever holds such a stream is told. No `Mcp-Session-Id` is issued.
 * - `GET /healthz`, `/readyz` (an upstream is available), `/metrics`, `/status`, and the RFC 9728 metadata.
 */
export async function serveRouterHttp(config: RouterHttpConfig): Promise<RouterHttpHandle> {
  const { router, logger } = config;
  const maxBodyBytes = config.maxBodyBytes ?? 4 * 1024 * 1024;
  const maxBatch = config.maxBatch ?? 100;
  const heartbeatMs = config.heartbeatMs ?? 15_000;
  const headersTimeoutMs = config.headersTimeoutMs ?? 10_000;
  const bodyTimeoutMs = config.bodyTimeoutMs ?? 30_000;
  const maxStreamsPerPrincipal = config.maxStreamsPerPrincipal ?? 16;
  const maxStreams = config.maxStreams ?? 1000;
  const locals = new Map<ViewName, LocalTransport>();
  const servers: Array<{ close(): Promise<void> }> = [];
  for (const view of [undefined, ...router.upstreams.map((u) => u.name)]) {
    const transport = new LocalTransport();
    const server = createRouterServer({ router, view, serverInfo: config.serverInfo, logger });
    server.onerror = (error) => logger.warn({ err: error }, 'protocol error');
    await server.connect(transport);
    locals.set(view, transport);
    servers.push(server);
  }
  const streams = new NotificationStreams({ router, heartbeatMs, maxStreamsPerPrincipal, maxStreams });
  let baseUrl = '';
  let inFlight = 0;
  let draining = false;

  const buildPostConfig = () => ({
    verifier: config.verifier,
    resourceMetadataUrl: `${baseUrl}${RESOURCE_METADATA_PATH}`,
    ...(config.challengeScopes ? { challengeScopes: config.challengeScopes } : {}),
    maxBodyBytes,
    maxBatch,
    logger,
  });
  // Built once the listener knows its URL (before any request is served), not per request.
  let post: ReturnType<typeof buildPostConfig> | undefined;
  const postConfig = () => {
    if (post === undefined && baseUrl !== '') post = buildPostConfig();
    return post ?? buildPostConfig();
  };

  async function handlePost(req: IncomingMessage, res: ServerResponse, requested: RequestView): Promise<void> {
    const { view, selection } = requested;
    const received = await receiveMcpPost(req, res, postConfig());
    if (!received) return;
    // 2026-07-28 tools/call: routed on its headers, its body forwarded unparsed (docs/decisions.md, "Routing on headers").
    const routed = routeByHeaders(router, req.headers, requested, received.principal);
    if (routed !== undefined) {
      const requestId = newRequestId();
      res.setHeader('x-request-id', requestId);
      const gone = new AbortController();
      res.once('close', () => {
        if (!res.writableFinished) gone.abort(cancellationError(new Error('client disconnected')));
      });
      const traceparent = typeof req.headers.traceparent === 'string' ? req.headers.traceparent : undefined;
      const caller: RouterCaller = {
        principal: received.principal,
        requestId,
        traceparent,
        protocolVersion: routed.headers['mcp-protocol-version'],
        signal: gone.signal,
      };
      await router.pipeUnparsed(routed.decision, { body: received.body, headers: routed.headers }, caller, res);
      return;
    }
    const accepted = checkMcpPost(req, res, received, postConfig());
    if (!accepted) return;
    if (
      config.scopeChallenge === 'http' &&
      challengeMissingScopes(res, accepted, {
        resourceMetadataUrl: `${baseUrl}${RESOURCE_METADATA_PATH}`,
        // A tool outside the view is refused whatever the scopes: no step-up for it.
        toolScopes: {
          get: (name) => (selection.lazy || outsideView(router.catalog(view), name, selection) ? undefined : router.catalog(view).tool(name)?.scopes),
        },
      })
    ) {
      return;
    }
    const { principal, messages, batch, traceparent } = accepted;
    const version = req.headers['mcp-protocol-version'];
    const protocolVersion = typeof version === 'string' ? version : undefined;
    const local = locals.get(view) as LocalTransport;
    const gone = new AbortController();
    res.once('close', () => {
      if (!res.writableFinished) gone.abort(cancellationError(new Error('client disconnected')));
    });
    const answer = (message: Record<string, unknown>): Promise<Record<string, unknown>> | undefined => {
      const requestId = newRequestId();
      const caller: RouterCaller = { principal, requestId, traceparent, protocolVersion, signal: gone.signal };
      const attachment: CallerAttachment = { principal, requestId, traceparent, protocolVersion, selection };
      const extra: MessageExtraInfo = {
        authInfo: { token: principal.token ?? '', clientId: principal.subject, scopes: [...principal.scopes], extra: { mcpfed: attachment } },
        requestInfo: { headers: req.headers },
      };
      if (!('id' in message)) {
        local.notify(message, extra);
        return undefined;
      }
      const decision = router.decide(view, message, principal, selection);
      if (decision.kind === 'answer') return Promise.resolve(decision.response);
      if (decision.kind === 'forward') return router.exchange(decision, message, caller);
      return local.request(innerRequest(message), extra);
    };
    if (messages.length === 0) {
      res.writeHead(202).end();
      return;
    }
    if (!batch) {
      const message = messages[0] as Record<string, unknown>;
      const requestId = newRequestId();
      res.setHeader('x-request-id', requestId);
      const modern = 'id' in message && claimedRevision(message) !== undefined;
      if (modern && message['method'] === 'subscriptions/listen') {
        streams.hold(res, principal, view, listenDialect(message, config.serverInfo));
        return;
      }
      const decision = 'id' in message ? router.decide(view, message, principal, selection) : undefined;
      if (decision?.kind === 'forward') {
        // The upstream answers a 2026-07-28 request in that revision itself: its bytes pass unchanged.
        await router.pipe(decision, message, { principal, requestId, traceparent, protocolVersion, signal: gone.signal }, res);
        return;
      }
      const response = decision?.kind === 'answer' ? decision.response : await answer(message);
      if (response === undefined) res.writeHead(202).end();
      else if (!modern) sendJson(res, 200, response);
      else {
        const converted = modernResponse(message['method'] as string, response, ROUTER_CACHE_HINTS, config.serverInfo);
        sendJson(res, modernErrorStatus((converted['error'] as { code?: unknown } | undefined)?.code), converted);
      }
      return;
    }
    // A batch (2025-03-26 clients) is answered as one JSON array: progress of its calls is not relayed.
    const responses = (await Promise.all(messages.map((m) => answer(m)))).filter((r) => r !== undefined);
    if (responses.length === 0) res.writeHead(202).end();
    else sendJson(res, 200, responses);
  }

  async function handleStream(req: IncomingMessage, res: ServerResponse, view: ViewName): Promise<void> {
    const principal = await authenticateMcpRequest(req, res, postConfig());
    if (!principal) return;
    if (!(req.headers.accept ?? '').includes('text/event-stream')) {
      sendRpcError(res, 406, JSON_RPC.INVALID_REQUEST, 'Not Acceptable: GET opens an event stream; send Accept: text/event-stream');
      return;
    }
    streams.hold(res, principal, view, LEGACY_STREAM);
  }

  const routes: OperationalRoutes = {
    metrics: config.metrics,
    draining: () => draining,
    readiness: () => ({
      ok: router.upstreams.some((u) => u.available),
      checks: Object.fromEntries(router.upstreams.map((u) => [u.name, u.available ? 'ok' : 'unavailable'])),
    }),
    resourceOf: (suffix) => (suffix === '' || suffix.startsWith('/mcp') ? `${baseUrl}${suffix || '/mcp'}` : undefined),
    resourceMetadata: config.resourceMetadata,
    extra: {
      '/status': (res) => sendJson(res, 200, { ...router.status(), notification_streams: streams.size }, { 'cache-control': 'no-store' }),
    },
    notFound: (path) => `No route ${path}. MCP is served at POST /mcp, /mcp/<upstream>, /mcp/x/<toolset>[,<toolset>] and /mcp/readonly.`,
  };

  const server = createMcpHttpServer({
    routes,
    originGuard: config.originGuard,
    logger,
    // A request that trickles in holds a connection and a handler: its headers and its whole body each have a deadline.
    requestTimeoutMs: bodyTimeoutMs,
    headersTimeoutMs,
    serveMcp: (req, res, path, fail) => {
      if (path !== '/mcp' && !path.startsWith('/mcp/')) return false;
      const requested = requestView(path, req.headers, (name) => router.hasView(name));
      if ('status' in requested) {
        sendJson(res, requested.status, { error: requested.status === 404 ? 'not_found' : 'invalid_view', message: requested.message });
        req.resume();
      } else if (req.method === 'POST') {
        inFlight++;
        handlePost(req, res, requested)
          .catch(fail)
          .finally(() => inFlight--);
      } else if (req.method === 'GET') {
        handleStream(req, res, requested.view).catch(fail);
      } else {
        sendRpcError(
          res,
          405,
          JSON_RPC.INVALID_REQUEST,
          'Method not allowed: POST JSON-RPC messages, or GET an event stream; there are no sessions to delete.',
          { allow: 'GET, POST' },
        );
        req.resume();
      }
      return true;
    },
  });

  baseUrl = await listenHttp(server, { port: config.port, host: config.host, publicUrl: config.publicUrl });

  return {
    server,
    url: baseUrl,
    get streams() {
      return streams.size;
    },
    async close(timeoutMs: number): Promise<void> {
      if (draining) return;
      draining = true;
      // Event streams never finish on their own: end them first, so clients reconnect to another replica.
      streams.endAll();
      await drainHttp(server, { inFlight: () => inFlight, timeoutMs, logger });
      await Promise.all(servers.map((s) => s.close()));
    },
  };
}
