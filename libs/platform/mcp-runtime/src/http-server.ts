import { createServer } from 'node:http';
import type { IncomingMessage, Server as NodeHttpServer, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SUPPORTED_PROTOCOL_VERSIONS } from '@modelcontextprotocol/sdk/types.js';
import { bearerToken, wwwAuthenticate } from '@mcpfed/auth';
import type { Principal } from '@mcpfed/auth';
import { AppError, JSON_RPC } from '@mcpfed/errors';
import { newRequestId } from '@mcpfed/telemetry';
import type { Logger, Metrics } from '@mcpfed/telemetry';
import { MultiplexHttpTransport } from './http-transport.ts';
import type { RequestAttachment, ServerFactory } from './mcp-host.ts';

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
}

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

const JSON_HEADERS = { 'content-type': 'application/json' };
/** How long a closing server keeps accepting connections, in milliseconds. */
const LAME_DUCK_MS = 300;
const SUPPORTED = new Set<string>(SUPPORTED_PROTOCOL_VERSIONS);

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { ...JSON_HEADERS, 'content-length': Buffer.byteLength(text), ...headers }).end(text);
}

function rpcError(res: ServerResponse, status: number, code: number, message: string, headers: Record<string, string> = {}, data?: unknown): void {
  sendJson(res, status, { jsonrpc: '2.0', id: null, error: { code, message, ...(data === undefined ? {} : { data }) } }, headers);
}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer | 'too_large'> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? -1);
    if (declared > limit) {
      req.resume();
      resolve('too_large');
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (chunk: Buffer) => {
      if (over) return;
      size += chunk.length;
      if (size > limit) {
        over = true;
        chunks.length = 0;
        resolve('too_large');
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (!over) resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks));
    });
    req.on('error', reject);
  });
}

function isJsonRpcMessage(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const m = value as Record<string, unknown>;
  if (m['jsonrpc'] !== '2.0') return false;
  if ('method' in m) {
    if (typeof m['method'] !== 'string') return false;
    if ('id' in m && typeof m['id'] !== 'string' && typeof m['id'] !== 'number') return false;
    if ('params' in m && (m['params'] === null || typeof m['params'] !== 'object')) return false;
    return true;
  }
  return 'id' in m && ('result' in m || 'error' in m);
}

function wantsStream(messages: Array<Record<string, unknown>>): boolean {
  return messages.some((m) => {
    const meta = (m['params'] as Record<string, unknown> | undefined)?.['_meta'] as Record<string, unknown> | undefined;
    return meta !== undefined && meta['progressToken'] !== undefined;
  });
}

/**
 * Hosts an {@link McpHost} over Streamable HTTP on `node:http`, stateless: POST /mcp (JSON or SSE answers),
 * GET /healthz, GET /readyz, GET /metrics and GET /.well-known/oauth-protected-resource (RFC 9728).
 * Every request passes the Origin/Host guard; /mcp needs a bearer token (401 with WWW-Authenticate otherwise).
 */
export async function serveHttp(host: ServerFactory, config: HttpServerConfig): Promise<HttpServerHandle> {
  const maxBody = config.maxBodyBytes ?? 4 * 1024 * 1024;
  const maxBatch = config.maxBatch ?? 100;
  const transport = new MultiplexHttpTransport();
  const mcp = host.createServer();
  await mcp.connect(transport);
  mcp.onerror = (error) => config.logger.warn({ err: error }, 'protocol error');

  let baseUrl = '';
  let inFlight = 0;
  let draining = false;
  const done = () => {
    inFlight--;
  };

  const metadataPath = '/.well-known/oauth-protected-resource';
  const resourceUrl = () => `${baseUrl}/mcp`;
  const unauthorized = (res: ServerResponse, description: string) =>
    rpcError(res, 401, JSON_RPC.INVALID_REQUEST, `Unauthorized: ${description}`, {
      'www-authenticate': wwwAuthenticate({ resourceMetadataUrl: `${baseUrl}${metadataPath}`, error: 'invalid_token', description }),
    });

  /** Returns true when the messages were handed to the protocol layer (which then calls `done`). */
  async function handleMcp(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    if (req.method !== 'POST') {
      rpcError(res, 405, JSON_RPC.INVALID_REQUEST, 'Method not allowed: this server is stateless; POST JSON-RPC messages to /mcp.', { allow: 'POST' });
      return false;
    }
    const token = bearerToken(req.headers.authorization);
    if (!token) {
      res.setHeader('www-authenticate', wwwAuthenticate({ resourceMetadataUrl: `${baseUrl}${metadataPath}` }));
      rpcError(res, 401, JSON_RPC.INVALID_REQUEST, 'Unauthorized: a bearer token is required');
      return false;
    }
    let principal: Principal;
    try {
      principal = await config.verifier.verify(token);
    } catch (error) {
      if (AppError.is(error) && error.code === 'UNAUTHENTICATED') {
        unauthorized(res, error.message);
      } else {
        // The issuer's keys could not be fetched: not the caller's fault, and a 401 would only send the client
        // into a re-authentication loop.
        config.logger.warn({ err: error }, 'token verification unavailable');
        rpcError(res, 503, JSON_RPC.SERVER_ERROR, 'Token verification is temporarily unavailable; retry shortly', { 'retry-after': '1' });
      }
      return false;
    }
    const accept = req.headers.accept ?? '';
    if (!(accept.includes('application/json') || accept.includes('*/*')) || !(accept.includes('text/event-stream') || accept.includes('*/*'))) {
      rpcError(res, 406, JSON_RPC.INVALID_REQUEST, 'Not Acceptable: the client must accept both application/json and text/event-stream');
      return false;
    }
    if (!(req.headers['content-type'] ?? '').startsWith('application/json')) {
      rpcError(res, 415, JSON_RPC.INVALID_REQUEST, 'Unsupported Media Type: Content-Type must be application/json');
      return false;
    }
    const version = req.headers['mcp-protocol-version'];
    if (typeof version === 'string' && !SUPPORTED.has(version)) {
      rpcError(res, 400, JSON_RPC.INVALID_REQUEST, `Unsupported MCP-Protocol-Version ${version}; supported: ${[...SUPPORTED].join(', ')}`);
      return false;
    }
    const body = await readBody(req, maxBody);
    if (body === 'too_large') {
      rpcError(res, 413, JSON_RPC.INVALID_REQUEST, `Request body exceeds ${maxBody} bytes`, { connection: 'close' });
      return false;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch {
      rpcError(res, 400, JSON_RPC.PARSE_ERROR, 'Parse error: the body is not valid JSON');
      return false;
    }
    const batch = Array.isArray(parsed);
    const raw = batch ? (parsed as unknown[]) : [parsed];
    if (raw.length === 0) {
      rpcError(res, 400, JSON_RPC.INVALID_REQUEST, 'Invalid Request: empty batch');
      return false;
    }
    if (raw.length > maxBatch) {
      rpcError(res, 400, JSON_RPC.INVALID_REQUEST, `Invalid Request: a batch may hold at most ${maxBatch} messages`);
      return false;
    }
    if (!raw.every(isJsonRpcMessage)) {
      rpcError(res, 400, JSON_RPC.INVALID_REQUEST, 'Invalid Request: not a JSON-RPC 2.0 message');
      return false;
    }
    // Responses and cancellations from the client have nothing to correlate with in a stateless server.
    const messages = (raw as Array<Record<string, unknown>>).filter((m) => 'method' in m && m['method'] !== 'notifications/cancelled');
    const traceparent = typeof req.headers.traceparent === 'string' ? req.headers.traceparent : undefined;
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
    transport.dispatch(
      messages,
      { res, mode: wantsStream(messages) ? 'sse' : 'json', batch, onDone: done },
      attachments,
      req.headers,
    );
    return true;
  }

  async function handleReady(res: ServerResponse): Promise<void> {
    if (draining) {
      sendJson(res, 503, { status: 'shutting_down' });
      return;
    }
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
    const ok = Object.values(checks).every((v) => v === 'ok');
    sendJson(res, ok ? 200 : 503, { status: ok ? 'ready' : 'not_ready', checks });
  }

  const server = createServer({ keepAliveTimeout: 65_000, requestTimeout: 60_000 }, (req, res) => {
    const path = (req.url ?? '/').split('?', 1)[0] as string;
    res.once('finish', () => config.metrics.observeHttp(req.method ?? 'GET', res.statusCode));
    if (draining) res.setHeader('connection', 'close');
    const guard = config.originGuard({ origin: req.headers.origin, host: req.headers.host });
    if (!guard.ok) {
      rpcError(res, guard.status, JSON_RPC.INVALID_REQUEST, `Forbidden: ${guard.reason}`);
      req.resume();
      return;
    }
    const fail = (error: unknown) => {
      config.logger.error({ err: error, path }, 'http handler failed');
      if (!res.headersSent) rpcError(res, 500, JSON_RPC.INTERNAL_ERROR, 'Internal error');
      else res.destroy();
    };
    if (path === '/mcp') {
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
    } else if (req.method !== 'GET' && req.method !== 'HEAD') {
      rpcError(res, 405, JSON_RPC.INVALID_REQUEST, 'Method not allowed', { allow: 'GET' });
      req.resume();
    } else if (path === '/healthz') {
      sendJson(res, 200, { status: 'ok' });
    } else if (path === '/readyz') {
      handleReady(res).catch(fail);
    } else if (path === '/metrics') {
      config.metrics
        .render()
        .then(({ contentType, body }) => res.writeHead(200, { 'content-type': contentType }).end(body))
        .catch(fail);
    } else if (path === metadataPath || path === `${metadataPath}/mcp`) {
      sendJson(res, 200, config.resourceMetadata(resourceUrl()), { 'cache-control': 'public, max-age=300' });
    } else {
      sendJson(res, 404, { error: 'not_found', message: `No route ${path}. MCP is served at POST /mcp.` });
    }
  });
  server.headersTimeout = 20_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const hostForUrl = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  baseUrl = (config.publicUrl ?? `http://${hostForUrl}:${address.port}`).replace(/\/$/, '');

  return {
    server,
    url: baseUrl,
    get inFlight() {
      return inFlight;
    },
    async close(timeoutMs: number): Promise<void> {
      if (draining) return;
      draining = true;
      // Lame-duck period: readiness already answers 503 and responses carry `Connection: close`, but the
      // listener stays open briefly, so connections a client opened just before the signal (still in the accept
      // queue) are served instead of reset when the listening socket closes.
      await new Promise((resolve) => setTimeout(resolve, Math.min(LAME_DUCK_MS, timeoutMs / 4)));
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Connections already open may still carry a request the client sent before the signal: serve it, and
      // only close connections once nothing is in flight and a short grace has passed for such requests to
      // arrive (closing an accepted connection before its request is read resets it).
      const graceUntil = Date.now() + 250;
      const sweeper = setInterval(() => {
        if (inFlight === 0 && Date.now() >= graceUntil) server.closeIdleConnections();
      }, 20);
      let timedOut = false;
      await Promise.race([closed, new Promise<void>((resolve) => setTimeout(() => ((timedOut = true), resolve()), timeoutMs).unref())]);
      clearInterval(sweeper);
      if (timedOut) {
        config.logger.warn({ in_flight: inFlight }, 'shutdown deadline reached with requests still open; closing their connections');
        server.closeAllConnections();
        await closed;
      }
      await mcp.close();
    },
  };
}
