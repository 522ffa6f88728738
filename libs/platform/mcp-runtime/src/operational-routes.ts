import { STATUS_CODES, createServer } from 'node:http';
import type { Duplex } from 'node:stream';
import type { IncomingMessage, Server as NodeHttpServer, ServerResponse } from 'node:http';
import { JSON_RPC } from '@mcpfed/errors';
import type { Logger, Metrics } from '@mcpfed/telemetry';
import { admitRequest, sendJson, sendRpcError } from './mcp-post.ts';

/** Where the RFC 9728 protected-resource metadata is served. */
export const RESOURCE_METADATA_PATH = '/.well-known/oauth-protected-resource';

/** What GET /readyz reports: whether the listener is usable and the state of each dependency. */
export interface ReadinessReport {
  ok: boolean;
  /** Dependency name → `ok` or `unavailable`. */
  checks: Record<string, string>;
}

/** The parts of {@link answerOperationalGet} that differ between listeners. */
export interface OperationalRoutes {
  metrics: Metrics;
  /** True once the listener is closing: /readyz then answers 503 `shutting_down` without asking {@link readiness}. */
  draining: () => boolean;
  /** Asks the dependencies for GET /readyz. */
  readiness: () => ReadinessReport | Promise<ReadinessReport>;
  /**
   * The resource URL whose metadata a GET under {@link RESOURCE_METADATA_PATH} describes, given what follows that
   * path (`''` for the bare path); undefined when there is no such resource (404).
   */
  resourceOf: (suffix: string) => string | undefined;
  /** RFC 9728 metadata document for a resource URL. */
  resourceMetadata: (resource: string) => Record<string, unknown>;
  /** Further GET routes of this listener, by exact path. */
  extra?: Readonly<Record<string, (res: ServerResponse) => void>>;
  /** Message of the 404 answer for any other path. */
  notFound: (path: string) => string;
}

/**
 * The error handler of one request: logs the failure, and answers 500 (JSON-RPC internal error) when nothing was
 * sent yet, else cuts the connection.
 */
export function handlerFailure(res: ServerResponse, logger: Logger, path: string): (error: unknown) => void {
  return (error: unknown) => {
    logger.error({ err: error, path }, 'http handler failed');
    if (!res.headersSent) sendRpcError(res, 500, JSON_RPC.INTERNAL_ERROR, 'Internal error');
    else res.destroy();
  };
}

/**
 * Answers every request of a listener that is not for its MCP endpoint: 405 for anything but GET/HEAD, GET /healthz,
 * GET /readyz (200 `ready` when the report is ok, else 503 `not_ready`; 503 `shutting_down` while draining),
 * GET /metrics (Prometheus text), the RFC 9728 metadata, the listener's extra routes, and 404 for the rest.
 */
export function answerOperationalGet(req: IncomingMessage, res: ServerResponse, path: string, routes: OperationalRoutes, fail: (error: unknown) => void): void {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    sendRpcError(res, 405, JSON_RPC.INVALID_REQUEST, 'Method not allowed', { allow: 'GET' });
    req.resume();
    return;
  }
  const extra = routes.extra && Object.hasOwn(routes.extra, path) ? routes.extra[path] : undefined;
  const resource = path.startsWith(RESOURCE_METADATA_PATH) ? routes.resourceOf(path.slice(RESOURCE_METADATA_PATH.length)) : undefined;
  if (path === '/healthz') {
    sendJson(res, 200, { status: 'ok' });
  } else if (path === '/readyz') {
    if (routes.draining()) {
      sendJson(res, 503, { status: 'shutting_down' });
      return;
    }
    Promise.resolve()
      .then(routes.readiness)
      .then(({ ok, checks }) => sendJson(res, ok ? 200 : 503, { status: ok ? 'ready' : 'not_ready', checks }))
      .catch(fail);
  } else if (path === '/metrics') {
    routes.metrics
      .render()
      .then(({ contentType, body }) => res.writeHead(200, { 'content-type': contentType }).end(body))
      .catch(fail);
  } else if (extra) {
    extra(res);
  } else if (resource !== undefined) {
    sendJson(res, 200, routes.resourceMetadata(resource), { 'cache-control': 'public, max-age=300' });
  } else {
    sendJson(res, 404, { error: 'not_found', message: routes.notFound(path) });
  }
}

/** Settings of {@link createMcpHttpServer}. */
export interface McpHttpServerOptions {
  /** The non-MCP routes; their `metrics` also count every answer and their `draining` answers with `Connection: close`. */
  routes: OperationalRoutes;
  /** Origin/Host check run before anything else (DNS-rebinding protection). */
  originGuard: (headers: { origin?: string | undefined; host?: string | undefined }) => { ok: true } | { ok: false; status: number; reason: string };
  logger: Logger;
  /** Longest time a request may take to arrive in full, in milliseconds (408 after it); 0 for none. Answers are not limited by it. */
  requestTimeoutMs: number;
  /** Longest time a request's headers may take to arrive, in milliseconds (then 408, counted). Default 20000. */
  headersTimeoutMs?: number;
  /** Serves the request when `path` is one of the MCP endpoints and returns true; false hands it to {@link answerOperationalGet}. */
  serveMcp: (req: IncomingMessage, res: ServerResponse, path: string, fail: (error: unknown) => void) => boolean;
}

/**
 * The `node:http` server of an MCP listener (not yet listening; see listenHttp): every request passes
 * admitRequest, then goes to `serveMcp` or the operational routes, with {@link handlerFailure} for errors.
 */
export function createMcpHttpServer(options: McpHttpServerOptions): NodeHttpServer {
  const { routes, logger } = options;
  const headersTimeout = options.headersTimeoutMs ?? 20_000;
  const server = createServer(
    {
      keepAliveTimeout: 65_000,
      // Node refuses a request deadline shorter than the headers deadline.
      requestTimeout: options.requestTimeoutMs === 0 ? 0 : Math.max(options.requestTimeoutMs, headersTimeout),
      headersTimeout,
      // How often Node checks those deadlines (default 30 s, which would let a slow client hold on for that long).
      connectionsCheckingInterval: 1000,
    },
    (req, res) => {
      const path = (req.url ?? '/').split('?', 1)[0] as string;
      if (!admitRequest(req, res, { metrics: routes.metrics, originGuard: options.originGuard, draining: routes.draining() })) return;
      const fail = handlerFailure(res, logger, path);
      if (!options.serveMcp(req, res, path, fail)) answerOperationalGet(req, res, path, routes, fail);
    },
  );
  // Node answers requests it could not parse or that missed a deadline by itself; this answers them the same way and
  // counts them, so slow or broken clients show in mcp_http_requests_total (408, 431, 400).
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    if (error.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const status = error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : error.code === 'HPE_HEADER_OVERFLOW' ? 431 : 400;
    routes.metrics.observeHttp('UNKNOWN', status);
    socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`, () => socket.destroy());
  });
  return server;
}
