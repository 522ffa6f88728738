import type { IncomingMessage, ServerResponse } from 'node:http';
import { bearerToken, missingScopes, wwwAuthenticate } from '@mcpfed/auth';
import type { Principal } from '@mcpfed/auth';
import { AppError, JSON_RPC } from '@mcpfed/errors';
import type { Logger } from '@mcpfed/telemetry';
import { invalidMessageResponse, jsonRpcMessageProblem, refusedBatchResponses } from './json-rpc-shape.ts';
import { META_LOG_LEVEL } from './log-level.ts';
import { MODERN_ERROR, SERVED_PROTOCOL_VERSIONS, claimedRevision, isModernRevision, modernRequestProblem } from './protocol-revision.ts';
import { readRequestBody } from './read-request-body.ts';

/** Settings of {@link acceptMcpPost}: how one POST of JSON-RPC messages is checked before anything runs. */
export interface McpPostConfig {
  /** Verifies bearer tokens. */
  verifier: { verify(token: string): Promise<Principal> };
  /** URL of the RFC 9728 metadata document, named in `WWW-Authenticate` of a 401. */
  resourceMetadataUrl: string;
  /**
   * Scopes a 401's `WWW-Authenticate` names for the client to ask for (MCP authorization: scope selection). Default
   * none: the client falls back to the metadata's `scopes_supported`.
   */
  challengeScopes?: readonly string[];
  /** Largest accepted request body, in bytes. */
  maxBodyBytes: number;
  /** Largest accepted JSON-RPC batch, in messages. */
  maxBatch: number;
  /**
   * Longest time the body may take to arrive once the headers are in, in milliseconds; a slower client is answered
   * 408 and its connection closed (a slow-loris body must not hold a request open). Default 10000.
   */
  bodyTimeoutMs?: number;
  logger: Logger;
}

/** A POST that passed every check: who sent it and the messages to handle. */
export interface AcceptedMcpPost {
  principal: Principal;
  /** The JSON-RPC requests and notifications, without client responses and `notifications/cancelled`. */
  messages: Array<Record<string, unknown>>;
  /** True when the body was a JSON array: the answer is an array too. */
  batch: boolean;
  /** W3C `traceparent` header of the request, if any. */
  traceparent?: string;
}

const JSON_HEADERS = { 'content-type': 'application/json' };
const SUPPORTED = new Set<string>(SERVED_PROTOCOL_VERSIONS);

/** Writes `body` as a JSON response. */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { ...JSON_HEADERS, 'content-length': Buffer.byteLength(text), ...headers }).end(text);
}

/** Writes a JSON-RPC error response with `id: null` (an error about the HTTP request as a whole). */
export function sendRpcError(res: ServerResponse, status: number, code: number, message: string, headers: Record<string, string> = {}, data?: unknown): void {
  sendJson(res, status, { jsonrpc: '2.0', id: null, error: { code, message, ...(data === undefined ? {} : { data }) } }, headers);
}

/** Default of {@link McpPostConfig.bodyTimeoutMs}, in milliseconds. */
const DEFAULT_BODY_TIMEOUT_MS = 10_000;

/**
 * The first step of every request to an MCP host: counts the answer in `mcp_http_requests_total`, asks for
 * `Connection: close` while draining, and runs the Origin/Host guard (DNS-rebinding protection), answering a
 * foreign Origin or Host itself (403, or 400 for a missing/invalid Host). Returns whether the request may go on.
 */
export function admitRequest(
  req: IncomingMessage,
  res: ServerResponse,
  options: {
    metrics: { observeHttp(method: string, status: number): void };
    originGuard: (headers: { origin?: string | undefined; host?: string | undefined }) => { ok: true } | { ok: false; status: number; reason: string };
    draining: boolean;
  },
): boolean {
  res.once('finish', () => options.metrics.observeHttp(req.method ?? 'GET', res.statusCode));
  if (options.draining) res.setHeader('connection', 'close');
  const guard = options.originGuard({ origin: req.headers.origin, host: req.headers.host });
  if (guard.ok) return true;
  sendRpcError(res, guard.status, JSON_RPC.INVALID_REQUEST, `Forbidden: ${guard.reason}`);
  req.resume();
  return false;
}

/** True when a message asks for progress or log notifications (its own `_meta` level), so the answer must be an SSE stream. */
export function wantsStream(messages: ReadonlyArray<Record<string, unknown>>): boolean {
  return messages.some((m) => {
    const meta = (m['params'] as Record<string, unknown> | undefined)?.['_meta'] as Record<string, unknown> | undefined;
    return meta !== undefined && (meta['progressToken'] !== undefined || meta[META_LOG_LEVEL] !== undefined);
  });
}

/**
 * Authenticates one request to an MCP endpoint by its bearer token: 401 with `WWW-Authenticate` when it has none
 * or an invalid one, 503 with `Retry-After` when the issuer's keys are unreachable (answered here, `undefined`
 * returned). Used by {@link acceptMcpPost} and by endpoints that take no body (a GET event stream).
 */
export async function authenticateMcpRequest(
  req: IncomingMessage,
  res: ServerResponse,
  config: Pick<McpPostConfig, 'verifier' | 'resourceMetadataUrl' | 'challengeScopes' | 'logger'>,
): Promise<Principal | undefined> {
  const scope = config.challengeScopes !== undefined && config.challengeScopes.length > 0 ? { scope: config.challengeScopes.join(' ') } : {};
  const token = bearerToken(req.headers.authorization);
  if (!token) {
    res.setHeader('www-authenticate', wwwAuthenticate({ resourceMetadataUrl: config.resourceMetadataUrl, ...scope }));
    sendRpcError(res, 401, JSON_RPC.INVALID_REQUEST, 'Unauthorized: a bearer token is required');
    return undefined;
  }
  try {
    return await config.verifier.verify(token);
  } catch (error) {
    if (AppError.is(error) && error.code === 'UNAUTHENTICATED') {
      sendRpcError(res, 401, JSON_RPC.INVALID_REQUEST, `Unauthorized: ${error.message}`, {
        'www-authenticate': wwwAuthenticate({ resourceMetadataUrl: config.resourceMetadataUrl, error: 'invalid_token', description: error.message, ...scope }),
      });
    } else {
      // The issuer's keys could not be fetched: not the caller's fault, and a 401 would only send the client
      // into a re-authentication loop.
      config.logger.warn({ err: error }, 'token verification unavailable');
      sendRpcError(res, 503, JSON_RPC.SERVER_ERROR, 'Token verification is temporarily unavailable; retry shortly', { 'retry-after': '1' });
    }
    return undefined;
  }
}

/**
 * The step-up challenge of the MCP authorization spec ("Scope Challenge Handling"): when a single `tools/call`
 * names a tool whose scopes the caller's token lacks, answers HTTP 403 with
 * `WWW-Authenticate: Bearer error="insufficient_scope", scope="<the tool's scopes>"` so the client can get a token
 * with them and retry; returns true when it answered. Known before dispatch only for a lone `tools/call` of a known
 * tool: batches, other methods and unknown tools go on (the tool answers FORBIDDEN, as it does on stdio).
 */
export function challengeMissingScopes(
  res: ServerResponse,
  accepted: AcceptedMcpPost,
  config: { resourceMetadataUrl: string; toolScopes: { get(name: string): readonly string[] | undefined } },
): boolean {
  const [message] = accepted.messages;
  if (accepted.batch || accepted.messages.length !== 1 || message?.['method'] !== 'tools/call' || !('id' in message)) return false;
  const name = (message['params'] as { name?: unknown } | undefined)?.name;
  const required = typeof name === 'string' ? config.toolScopes.get(name) : undefined;
  if (required === undefined || required.length === 0) return false;
  const missing = missingScopes(accepted.principal, required);
  if (missing.length === 0) return false;
  const description = `the token lacks scope ${missing.join(' ')}`;
  sendJson(
    res,
    403,
    {
      jsonrpc: '2.0',
      id: message['id'] as string | number,
      error: { code: JSON_RPC.INVALID_REQUEST, message: `Forbidden: ${description}`, data: { required_scopes: [...required], missing_scopes: missing } },
    },
    {
      'www-authenticate': wwwAuthenticate({
        resourceMetadataUrl: config.resourceMetadataUrl,
        error: 'insufficient_scope',
        scope: required.join(' '),
        description,
      }),
    },
  );
  return true;
}

/**
 * The edge checks of a Streamable HTTP POST, in order: bearer token (401 with `WWW-Authenticate`; 503 when the
 * issuer's keys are unreachable), `Accept` (406), `Content-Type` (415), `MCP-Protocol-Version` (400), body size
 * (413), body deadline (408), JSON (400, -32700), batch size (400, -32600) and each message's shape (400 with a
 * JSON-RPC error per malformed message, see jsonRpcMessageProblem; a batch holding one runs nothing), then the 2026-07-28 rules of a
 * request claiming that revision (modernRequestProblem: supported version, envelope, `Mcp-Method`/`Mcp-Name` equal to
 * the body; no batch). A request failing one is answered here and
 * `undefined` returned; nothing of it reaches a handler. Shared by the servers' host and the router.
 */
export async function acceptMcpPost(req: IncomingMessage, res: ServerResponse, config: McpPostConfig): Promise<AcceptedMcpPost | undefined> {
  const received = await receiveMcpPost(req, res, config);
  return received === undefined ? undefined : checkMcpPost(req, res, received, config);
}

/** A POST whose caller, headers and body size passed the edge checks; its body not parsed yet. */
export interface ReceivedMcpPost {
  principal: Principal;
  /** The raw body, at most `maxBodyBytes`. */
  body: Buffer;
}

/**
 * The checks of {@link acceptMcpPost} that need no parsing: token, `Accept`, `Content-Type`, `MCP-Protocol-Version`,
 * body size and deadline. A router may route on the headers of what passed them, without {@link checkMcpPost}.
 */
export async function receiveMcpPost(req: IncomingMessage, res: ServerResponse, config: McpPostConfig): Promise<ReceivedMcpPost | undefined> {
  const principal = await authenticateMcpRequest(req, res, config);
  if (!principal) return undefined;
  const accept = req.headers.accept ?? '';
  if (!(accept.includes('application/json') || accept.includes('*/*')) || !(accept.includes('text/event-stream') || accept.includes('*/*'))) {
    sendRpcError(res, 406, JSON_RPC.INVALID_REQUEST, 'Not Acceptable: the client must accept both application/json and text/event-stream');
    return undefined;
  }
  if (!(req.headers['content-type'] ?? '').startsWith('application/json')) {
    sendRpcError(res, 415, JSON_RPC.INVALID_REQUEST, 'Unsupported Media Type: Content-Type must be application/json');
    return undefined;
  }
  const version = req.headers['mcp-protocol-version'];
  if (typeof version === 'string' && !SUPPORTED.has(version)) {
    sendRpcError(
      res,
      400,
      MODERN_ERROR.UNSUPPORTED_PROTOCOL_VERSION,
      `Unsupported MCP-Protocol-Version ${version.slice(0, 40)}; supported: ${[...SUPPORTED].join(', ')}`,
      {},
      {
        supported: [...SUPPORTED],
        requested: version.slice(0, 40),
      },
    );
    return undefined;
  }
  const bodyTimeoutMs = config.bodyTimeoutMs ?? DEFAULT_BODY_TIMEOUT_MS;
  const body = await readRequestBody(req, config.maxBodyBytes, bodyTimeoutMs);
  if (body === 'too_large') {
    sendRpcError(res, 413, JSON_RPC.INVALID_REQUEST, `Request body exceeds ${config.maxBodyBytes} bytes`, { connection: 'close' });
    return undefined;
  }
  if (body === 'timeout') {
    // Answered, counted (408 in mcp_http_requests_total) and the connection dropped: the rest of the body is not read.
    res.once('finish', () => req.destroy());
    sendRpcError(res, 408, JSON_RPC.INVALID_REQUEST, `Request Timeout: the body did not arrive within ${bodyTimeoutMs} ms`, { connection: 'close' });
    return undefined;
  }
  return { principal, body };
}

/** The rest of {@link acceptMcpPost}: JSON, batch, each message's shape and the 2026-07-28 rules (headers equal to the body). */
export function checkMcpPost(
  req: IncomingMessage,
  res: ServerResponse,
  { principal, body }: ReceivedMcpPost,
  config: Pick<McpPostConfig, 'maxBatch'>,
): AcceptedMcpPost | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    sendRpcError(res, 400, JSON_RPC.PARSE_ERROR, 'Parse error: the body is not valid JSON');
    return undefined;
  }
  const batch = Array.isArray(parsed);
  const raw = batch ? (parsed as unknown[]) : [parsed];
  if (raw.length === 0) {
    sendRpcError(res, 400, JSON_RPC.INVALID_REQUEST, 'Invalid Request: empty batch');
    return undefined;
  }
  if (raw.length > config.maxBatch) {
    sendRpcError(res, 400, JSON_RPC.INVALID_REQUEST, `Invalid Request: a batch may hold at most ${config.maxBatch} messages`);
    return undefined;
  }
  // Every malformed message is answered here: the protocol layer would drop it silently and leave the request open.
  const problems = raw.map(jsonRpcMessageProblem);
  if (problems.some((problem) => problem !== undefined)) {
    sendJson(res, 400, batch ? refusedBatchResponses(raw, problems) : invalidMessageResponse(raw[0], problems[0] as string));
    return undefined;
  }
  // 2026-07-28: one message per POST, and its headers must say what its body says (protocol-revision.ts).
  // A batch cannot be a 2026-07-28 request either by its headers: an intermediary that routed on `Mcp-Method`/`Mcp-Name`
  // must never see a batch of other calls run behind them.
  const headerClaim = req.headers['mcp-protocol-version'];
  const modernHeaders =
    (typeof headerClaim === 'string' && isModernRevision(headerClaim)) || req.headers['mcp-method'] !== undefined || req.headers['mcp-name'] !== undefined;
  if (batch && (modernHeaders || raw.some((m) => claimedRevision(m as Record<string, unknown>) !== undefined))) {
    sendRpcError(res, 400, JSON_RPC.INVALID_REQUEST, 'Invalid Request: a 2026-07-28 request cannot be sent in a batch');
    return undefined;
  }
  if (!batch) {
    const problem = modernRequestProblem(raw[0] as Record<string, unknown>, req.headers);
    if (problem !== undefined) {
      const id = (raw[0] as Record<string, unknown>)['id'];
      sendJson(res, problem.status, { jsonrpc: '2.0', id: id ?? null, error: problem.error });
      return undefined;
    }
  }
  // Responses and cancellations from the client have nothing to correlate with in a stateless server.
  const messages = (raw as Array<Record<string, unknown>>).filter((m) => 'method' in m && !(m['method'] === 'notifications/cancelled' && !('id' in m)));
  const traceparent = typeof req.headers.traceparent === 'string' ? req.headers.traceparent : undefined;
  return { principal, messages, batch, ...(traceparent ? { traceparent } : {}) };
}
