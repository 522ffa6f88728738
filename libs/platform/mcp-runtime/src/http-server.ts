import type { IncomingMessage, Server as NodeHttpServer, ServerResponse } from 'node:http';
import type { Principal } from '@mcpfed/auth';
import { JSON_RPC } from '@mcpfed/errors';
import { newRequestId } from '@mcpfed/telemetry';
import type { Logger, Metrics } from '@mcpfed/telemetry';
import { drainHttp, listenHttp } from './http-listener.ts';
import { MultiplexHttpTransport } from './http-transport.ts';
import type { RequestAttachment } from './request-attachment.ts';
import type { ServerFactory } from './server-factory.ts';
import { acceptMcpPost, challengeMissingScopes, sendRpcError, wantsStream } from './mcp-post.ts';
import { closedSubscription } from './modern-response.ts';
import { claimedRevision } from './protocol-revision.ts';
import { RESOURCE_METADATA_PATH, createMcpHttpServer } from './operational-routes.ts';
import type { OperationalRoutes, ReadinessReport } from './operational-routes.ts';

/** A readiness probe: resolves when the dependency is usable. */
export interface ReadinessCheck {
  name: string;
  check: (signal: AbortSignal) => Promise<void>;
}

/** Settings of {@link serveHttp}. */
export interface HttpServerConfig {
  /** Interface to bind. Default 127.0.0.1. */
  host?: string;
  /** Port; 0 picks a free one (tests). */
  port: number;
  /** Public base URL of this server (no trailing slash); the resource identifier is `${publicUrl}/mcp`. Default http://host:port. */
  publicUrl?: string;
  /** Verifies bearer tokens. */
  verifier: { verify(token: string): Promise<Principal> };
  /** Origin/Host check run before anything else (DNS-rebinding protection). */
  originGuard: (headers: { origin?: string | undefined; host?: string | undefined }) => { ok: true } | { ok: false; status: number; reason: string };
  /** RFC 9728 metadata document served at /.well-known/oauth-protected-resource. */
  resourceMetadata: (resource: string) => Record<string, unknown>;
  readiness: readonly ReadinessCheck[];
  logger: Logger;
  metrics: Metrics;
  /** Largest accepted request body, in bytes. Default 4 MiB. */
  maxBodyBytes?: number;
  /** Largest accepted JSON-RPC batch, in messages. Default 100. */
  maxBatch?: number;
  /** Longest time a request body may take to arrive once its headers are in, in milliseconds (then 408). Default 10000. */
  bodyTimeoutMs?: number;
  /** Longest time a request's headers may take to arrive, in milliseconds (then 408). Default 10000. */
  headersTimeoutMs?: number;
  /**
   * Scopes of each tool, by name: a lone `tools/call` whose scopes the token lacks gets HTTP 403 `insufficient_scope`
   * (step-up, see challengeMissingScopes). Default none: such a call reaches the tool, which answers FORBIDDEN.
   */
  toolScopes?: ReadonlyMap<string, readonly string[]>;
  /** Scopes a 401 names for the client to ask for. Default none. */
  challengeScopes?: readonly string[];
  /**
   * Pages a person opens in a browser (e.g. the approval pages): serves the request and returns true when `path` is
   * one of its paths, given this listener's base URL. They never see the MCP endpoint's bearer tokens.
   */
  pages?: HttpPages;
}

/** Browser pages of a listener, beside its MCP endpoint (see {@link HttpServerConfig.pages}). */
export type HttpPages = (req: IncomingMessage, res: ServerResponse, path: string, baseUrl: string) => boolean;

/** A running HTTP host. */
export interface HttpServerHandle {
  readonly server: NodeHttpServer;
  /** Base URL it listens on, e.g. http://127.0.0.1:8081. */
  readonly url: string;
  /** Requests being served right now. */
  readonly inFlight: number;
  /** Stops accepting, lets in-flight requests finish (up to `timeoutMs`), then closes every connection. */
  close(timeoutMs: number): Promise<void>;
}

/**
 * Hosts an {@link McpHost} over Streamable HTTP on `node:http`, stateless: POST /mcp (JSON or SSE answers),
 * GET /healthz, GET /readyz, GET /metrics and GET /.well-known/oauth-protected-resource (RFC 9728).
 * Every request passes the Origin/Host guard; /mcp needs a bearer token (401 with WWW-Authenticate otherwise).
 */
export async function serveHttp(host: ServerFactory, config: HttpServerConfig): Promise<HttpServerHandle> {
  const maxBody = config.maxBodyBytes ?? 4 * 1024 * 1024;
  const maxBatch = config.maxBatch ?? 100;
  const bodyTimeoutMs = config.bodyTimeoutMs ?? 10_000;
  const headersTimeoutMs = config.headersTimeoutMs ?? 10_000;
  const transport = new MultiplexHttpTransport(host.serverInfo === undefined ? {} : { serverInfo: host.serverInfo });
  const mcp = host.createServer();
  await mcp.connect(transport);
  mcp.onerror = (error) => config.logger.warn({ err: error }, 'protocol error');

  let baseUrl = '';
  let inFlight = 0;
  let draining = false;
  const done = () => {
    inFlight--;
  };

  const resourceUrl = () => `${baseUrl}/mcp`;
  /** Returns true when the messages were handed to the protocol layer (which then calls `done`). */
  async function handleMcp(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    if (req.method !== 'POST') {
      sendRpcError(res, 405, JSON_RPC.INVALID_REQUEST, 'Method not allowed: this server is stateless; POST JSON-RPC messages to /mcp.', { allow: 'POST' });
      return false;
    }
    const resourceMetadataUrl = `${baseUrl}${RESOURCE_METADATA_PATH}`;
    const accepted = await acceptMcpPost(req, res, {
      verifier: config.verifier,
      resourceMetadataUrl,
      ...(config.challengeScopes === undefined ? {} : { challengeScopes: config.challengeScopes }),
      maxBodyBytes: maxBody,
      maxBatch,
      bodyTimeoutMs,
      logger: config.logger,
    });
    if (!accepted) return false;
    if (config.toolScopes !== undefined && challengeMissingScopes(res, accepted, { resourceMetadataUrl, toolScopes: config.toolScopes })) return false;
    const { principal, messages, batch, traceparent } = accepted;
    const attachments: RequestAttachment[] = messages.map(() => ({
      principal,
      requestId: newRequestId(),
      ...(traceparent ? { traceparent } : {}),
    }));
    if (!batch && attachments[0]) res.setHeader('x-request-id', attachments[0].requestId);
    if (messages.length === 0) {
      res.writeHead(202).end();
      return false;
    }
    const [first] = messages;
    if (!batch && first?.['method'] === 'subscriptions/listen' && 'id' in first && claimedRevision(first) !== undefined) {
      // The lists of a domain server change only with a deploy: the subscription is acknowledged and ended at once.
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache, no-transform', 'x-accel-buffering': 'no' });
      res.end(
        closedSubscription(first, host.serverInfo)
          .map((m) => `event: message\ndata: ${JSON.stringify(m)}\n\n`)
          .join(''),
      );
      return false;
    }
    // A caller that set a log level (logging/setLevel) gets its answers as streams, which can carry the messages; not on
    // a 2026-07-28 request, which gets messages only for its own `_meta` level (and whose errors keep their status).
    const remembersLevel = (batch || first === undefined || claimedRevision(first) === undefined) && host.sendsLogsTo?.(principal) === true;
    transport.dispatch(messages, { res, mode: wantsStream(messages) || remembersLevel ? 'sse' : 'json', batch, onDone: done }, attachments, req.headers);
    return true;
  }

  async function readiness(): Promise<ReadinessReport> {
    const checks: Record<string, string> = {};
    const signal = AbortSignal.timeout(2000);
    await Promise.all(
      config.readiness.map(async ({ name, check }) => {
        try {
          await check(signal);
          checks[name] = 'ok';
        } catch {
          checks[name] = 'unavailable';
        }
      }),
    );
    return { ok: Object.values(checks).every((v) => v === 'ok'), checks };
  }
  const routes: OperationalRoutes = {
    metrics: config.metrics,
    draining: () => draining,
    readiness,
    resourceOf: (suffix) => (suffix === '' || suffix === '/mcp' ? resourceUrl() : undefined),
    resourceMetadata: config.resourceMetadata,
    notFound: (path) => `No route ${path}. MCP is served at POST /mcp.`,
  };

  const server = createMcpHttpServer({
    routes,
    originGuard: config.originGuard,
    logger: config.logger,
    // Node's own whole-request deadline is only a backstop: the body deadline of acceptMcpPost answers first.
    requestTimeoutMs: headersTimeoutMs + bodyTimeoutMs + 5000,
    headersTimeoutMs,
    serveMcp: (req, res, path, fail) => {
      if (path !== '/mcp') return config.pages?.(req, res, path, baseUrl) === true;
      inFlight++;
      handleMcp(req, res).then(
        (dispatched) => {
          if (!dispatched) done();
        },
        (error: unknown) => {
          done();
          fail(error);
        },
      );
      return true;
    },
  });

  baseUrl = await listenHttp(server, { port: config.port, host: config.host, publicUrl: config.publicUrl });

  return {
    server,
    url: baseUrl,
    get inFlight() {
      return inFlight;
    },
    async close(timeoutMs: number): Promise<void> {
      if (draining) return;
      draining = true;
      await drainHttp(server, { inFlight: () => inFlight, timeoutMs, logger: config.logger });
      await mcp.close();
    },
  };
}
