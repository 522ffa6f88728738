import type { ServerResponse } from 'node:http';
import { Pool } from 'undici';
import { AppError, toJsonRpcError, toToolErrorResult } from '@mcpfed/errors';
import { readRpcAnswer } from '@mcpfed/federation';
import { claimedRevision } from '@mcpfed/mcp-runtime';
import { OutcomePeek } from './outcome-peek.ts';

/** Settings of an {@link UpstreamForwarder}. */
export interface UpstreamForwarderConfig {
  /** Logical name of the upstream (errors). */
  name: string;
  /** Its Streamable HTTP endpoint, e.g. `http://127.0.0.1:8081/mcp`. */
  url: string;
  /** Keep-alive connections kept to it at most (its concurrency limit). */
  connections: number;
}

/** One JSON-RPC request to pass through to the upstream. */
export interface ForwardRequest {
  /** The JSON-RPC request as the caller sent it (its id is kept: the upstream multiplexes ids itself). */
  message: Record<string, unknown>;
  /**
   * `message` with the router's trace context, serialised by the router before the upstream's isolation is
   * entered: a payload that cannot be serialised is the caller's error, never the upstream's.
   */
  body: string | Buffer;
  /**
   * The caller's request for the router's own error answers, when `message` is not it (a body forwarded unparsed:
   * parsed only if an answer needs its id).
   */
  original?: (() => Record<string, unknown>) | undefined;
  /** Standard 2026-07-28 headers to send as given (a body forwarded unparsed: the caller's own, checked by the upstream). */
  headers?: Readonly<Record<string, string>> | undefined;
  /**
   * Pass the upstream's HTTP 400 and 202 through as its answer (a body forwarded unparsed: the upstream's refusal of
   * it, e.g. -32020 headers not equal to the body or a malformed message, carries the caller's id and code; 202 says
   * the body was a notification). Neither counts against the upstream.
   */
  passRefusals?: boolean | undefined;
  /** Bearer token sent to the upstream: the caller's own, or a service token acting for it. */
  token: string;
  /** W3C traceparent of the router's span, sent as header (and already in `params._meta.traceparent`). */
  traceparent: string;
  /** MCP-Protocol-Version the caller negotiated, passed on. */
  protocolVersion?: string | undefined;
  /** Aborts the request (timeout, caller gone). */
  signal: AbortSignal;
}

/** A JSON-RPC notification sent by the upstream while it worked (progress). */
export type UpstreamNotification = Record<string, unknown>;

const PASSED_HEADERS = ['content-type', 'x-request-id'] as const;

/** Characters an `Mcp-Name` value may carry as is (visible ASCII and space, no edge whitespace). */
const PLAIN_HEADER_VALUE = /^[\x21-\x7e]([\x20-\x7e]*[\x21-\x7e])?$/;

/**
 * The standard headers of a message claiming 2026-07-28 (`MCP-Protocol-Version`, `Mcp-Method`, `Mcp-Name`), from the
 * message as forwarded: the upstream checks them against the body, and on the lazy view the forwarded tool is not
 * the caller's `call_tool`. Base64 sentinel form for a name that is not plain ASCII. None for an older revision.
 */
export function modernRequestHeaders(message: Record<string, unknown>): Record<string, string> {
  const claim = claimedRevision(message);
  if (claim === undefined) return {};
  const method = message['method'] as string;
  const params = (message['params'] ?? {}) as Record<string, unknown>;
  const name = method === 'resources/read' ? params['uri'] : method === 'tools/call' || method === 'prompts/get' ? params['name'] : undefined;
  const headers: Record<string, string> = { 'mcp-protocol-version': claim, 'mcp-method': method };
  if (typeof name === 'string') {
    headers['mcp-name'] = PLAIN_HEADER_VALUE.test(name) && !name.startsWith('=?base64?') ? name : `=?base64?${Buffer.from(name, 'utf8').toString('base64')}?=`;
  }
  return headers;
}

const transportFailures = new WeakSet<object>();
const upstreamFaults = new WeakSet<object>();

/** True for an error of a forwarder that could not reach its upstream at all (refused, reset, DNS), not an HTTP answer. */
export function isTransportFailure(error: unknown): boolean {
  return typeof error === 'object' && error !== null && transportFailures.has(error);
}

/**
 * True for a failure that is the upstream's own: a transport failure, or an HTTP answer that is neither an MCP
 * answer nor a refusal of this request (5xx, or a status that means the upstream is not serving MCP there).
 * Only these count for its circuit breaker; a refused request (400, 401, 403, 413, 429) is about the caller.
 */
export function isUpstreamFault(error: unknown): boolean {
  return typeof error === 'object' && error !== null && upstreamFaults.has(error);
}

/**
 * The lean forwarding path (docs/architecture.md §10): a pooled keep-alive undici connection per upstream, the JSON-RPC
 * request passed through as bytes with only headers added, the response streamed back. The SDK is not involved:
 * a client per call costs more CPU than the call itself.
 *
 * Failures before the upstream answered reject with an AppError (`UPSTREAM_UNAVAILABLE` for a transport failure
 * or an HTTP status that is not an MCP answer; `UNAUTHENTICATED`/`FORBIDDEN` when the upstream refused the
 * token). Aborts reject with the signal's reason.
 */
export class UpstreamForwarder {
  readonly #name: string;
  readonly #path: string;
  readonly #pool: Pool;

  constructor(config: UpstreamForwarderConfig) {
    const url = new URL(config.url);
    this.#name = config.name;
    this.#path = `${url.pathname}${url.search}`;
    this.#pool = new Pool(url.origin, { connections: config.connections, pipelining: 1, keepAliveTimeout: 30_000, connect: { timeout: 2000 } });
  }

  /**
   * Sends the request and streams the upstream's answer (a JSON body, or an SSE stream of progress
   * notifications then the response) to `res` as it arrives, and resolves with the call's outcome (`ok`, or
   * the mcpfed code of a tool error or JSON-RPC error the upstream answered; see {@link OutcomePeek}). Rejects
   * before anything was written to `res` when the upstream did not answer with an MCP response; after that, a
   * broken stream ends `res` (SSE: after an error event for the request) and rejects with the cause, and the
   * caller must not write again.
   */
  async pipe(request: ForwardRequest, res: ServerResponse): Promise<string> {
    const answer = await this.#send(request);
    const headers: Record<string, string> = {};
    for (const name of PASSED_HEADERS) {
      const value = answer.headers[name];
      if (typeof value === 'string') headers[name] = value;
    }
    const length = answer.headers['content-length'];
    if (typeof length === 'string') headers['content-length'] = length;
    const sse = (headers['content-type'] ?? '').startsWith('text/event-stream');
    if (sse) headers['cache-control'] = 'no-cache, no-transform';
    res.writeHead(answer.statusCode, headers);
    const peek = new OutcomePeek(headers['content-type'] ?? '');
    try {
      for await (const chunk of answer.body) {
        peek.push(chunk as Buffer);
        if (!res.write(chunk as Buffer)) await new Promise<void>((resolve) => res.once('drain', resolve));
      }
      res.end();
      return peek.outcome;
    } catch (error) {
      if (sse && !res.destroyed) {
        // End any half-written event, then answer the request so the client is not left waiting.
        const failure = this.#failure(error);
        res.end(`\n\nevent: message\ndata: ${JSON.stringify(errorResponse(request.original?.() ?? request.message, failure))}\n\n`);
      } else {
        res.destroy();
      }
      throw this.#failure(error);
    }
  }

  /**
   * Sends the request and returns the upstream's JSON-RPC response, handing each notification that arrives
   * before it (progress, on an SSE answer) to `onNotification`. For batches and stdio, where the router has
   * to hold the answer.
   */
  async exchange(request: ForwardRequest, onNotification?: (notification: UpstreamNotification) => void): Promise<Record<string, unknown>> {
    const answer = await this.#send(request);
    try {
      const type = answer.headers['content-type'];
      const id = request.message['id'];
      const { response } = await readRpcAnswer(
        answer.body,
        typeof type === 'string' ? type : '',
        typeof id === 'string' || typeof id === 'number' ? id : '',
        (notification) => onNotification?.(notification),
      );
      if (response === undefined) throw new AppError('UPSTREAM_UNAVAILABLE', `upstream "${this.#name}" ended its answer without a response`, { details: { upstream: this.#name } });
      return response;
    } catch (error) {
      throw this.#failure(error);
    }
  }

  /** Closes every pooled connection. */
  async close(): Promise<void> {
    await this.#pool.close();
  }

  async #send(request: ForwardRequest) {
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      authorization: `Bearer ${request.token}`,
      traceparent: request.traceparent,
    };
    if (request.protocolVersion !== undefined) headers['mcp-protocol-version'] = request.protocolVersion;
    Object.assign(headers, request.headers ?? modernRequestHeaders(request.message));
    let answer;
    try {
      answer = await this.#pool.request({ path: this.#path, method: 'POST', headers, body: request.body, signal: request.signal });
    } catch (error) {
      throw this.#failure(error, request.signal);
    }
    if (answer.statusCode === 200 || (request.passRefusals === true && (answer.statusCode === 400 || answer.statusCode === 202))) return answer;
    // Not an MCP answer: read the body away so the connection can be reused, and say what happened.
    const text = await answer.body.text().catch(() => '');
    throw this.#statusError(answer.statusCode, text);
  }

  #statusError(status: number, body: string): AppError {
    const details = { upstream: this.#name, status };
    let message = '';
    try {
      message = String((JSON.parse(body) as { error?: { message?: unknown } }).error?.message ?? '');
    } catch {
      // not JSON: the status alone says enough
    }
    if (status === 401) {
      return new AppError('UNAUTHENTICATED', `upstream "${this.#name}" refused the token${message ? `: ${message}` : ''} (tokens must carry the federation audience)`, { details });
    }
    if (status === 403) return new AppError('FORBIDDEN', `upstream "${this.#name}" refused the request${message ? `: ${message}` : ''}`, { details });
    if (status === 429) return new AppError('RATE_LIMITED', `upstream "${this.#name}" is rate limiting; retry later`, { details });
    if (status === 400 || status === 413) {
      return new AppError('VALIDATION_FAILED', `upstream "${this.#name}" refused the request as invalid${message ? `: ${message}` : ''}`, { details });
    }
    const fault = new AppError('UPSTREAM_UNAVAILABLE', `upstream "${this.#name}" answered HTTP ${status}`, { details });
    upstreamFaults.add(fault);
    return fault;
  }

  #failure(error: unknown, signal?: AbortSignal): unknown {
    if (signal?.aborted) return signal.reason;
    if (AppError.is(error)) return error;
    const failure = new AppError('UPSTREAM_UNAVAILABLE', `upstream "${this.#name}" could not be reached`, { details: { upstream: this.#name }, cause: error });
    transportFailures.add(failure);
    upstreamFaults.add(failure);
    return failure;
  }
}

/**
 * A JSON-RPC response answering `request` with `failure`, converted the one way every mcpfed server does: a tool
 * error result (`isError`, `structuredContent.error`) for tools/call, a JSON-RPC error otherwise.
 */
export function errorResponse(request: Record<string, unknown>, failure: unknown, requestId?: string): Record<string, unknown> {
  const id = request['id'] ?? null;
  if (request['method'] === 'tools/call') return { jsonrpc: '2.0', id, result: toToolErrorResult(failure, requestId) };
  return { jsonrpc: '2.0', id, error: toJsonRpcError(failure, requestId) };
}
