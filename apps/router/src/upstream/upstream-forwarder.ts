import type { ServerResponse } from 'node:http';
import { AppError, toJsonRpcError, toToolErrorResult } from '@mcpfed/errors';
import { McpHttpClient, readRpcAnswer } from '@mcpfed/federation';
import type { McpHttpRequest } from '@mcpfed/federation';
import { modernRequestHeaders } from './modern-request-headers.ts';
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
const REFUSALS: readonly number[] = [400, 202];
/** Largest JSON answer (by its Content-Length) read whole before it is written on; larger ones are streamed. */
const MAX_BUFFERED_BYTES = 64 * 1024;

/**
 * The lean forwarding path (docs/architecture.md §10) over the federation's {@link McpHttpClient}: the JSON-RPC
 * request passed through as bytes with only headers added, the response streamed back unparsed. The SDK is not
 * involved: a client per call costs more CPU than the call itself.
 *
 * Failures before the upstream answered reject with the AppError of the one status mapping
 * (`upstreamStatusError`: 5xx UPSTREAM_UNAVAILABLE, 401 UNAUTHENTICATED, 403 FORBIDDEN, 429 RATE_LIMITED, …) or
 * a transport failure (UPSTREAM_UNAVAILABLE); only 5xx and transport failures are upstream faults. Aborts reject
 * with the signal's reason.
 */
export class UpstreamForwarder {
  readonly #name: string;
  readonly #http: McpHttpClient;

  constructor(config: UpstreamForwarderConfig) {
    this.#name = config.name;
    this.#http = new McpHttpClient({ name: config.name, url: config.url, connections: config.connections });
  }

  /**
   * Sends the request and streams the upstream's answer (a JSON body, or an SSE stream of progress
   * notifications then the response) to `res` as it arrives, and resolves with the call's outcome (`ok`, or
   * the mcpfed code of a tool error or JSON-RPC error the upstream answered; see {@link OutcomePeek}). A JSON
   * answer of at most 64 KiB by its Content-Length is read whole first and written in one go. Rejects
   * before anything was written to `res` when the upstream did not answer with an MCP response (or broke off
   * such a small answer); after that, a broken stream ends `res` (SSE: after an error event for the request)
   * and rejects with the cause, and the caller must not write again.
   */
  async pipe(request: ForwardRequest, res: ServerResponse): Promise<string> {
    const answer = await this.#http.post(this.#post(request));
    const headers: Record<string, string> = {};
    for (const name of PASSED_HEADERS) {
      const value = answer.headers[name];
      if (typeof value === 'string') headers[name] = value;
    }
    const length = answer.headers['content-length'];
    if (typeof length === 'string') headers['content-length'] = length;
    const sse = (headers['content-type'] ?? '').startsWith('text/event-stream');
    const peek = new OutcomePeek(headers['content-type'] ?? '');
    if (!sse && typeof length === 'string' && Number(length) <= MAX_BUFFERED_BYTES) {
      // A JSON answer of known, small size (every point read): read whole, then written with its headers in one call,
      // so it leaves in one write; a broken answer then fails before anything was written to the caller.
      let bytes: Buffer;
      try {
        bytes = Buffer.from(await answer.body.arrayBuffer());
      } catch (error) {
        throw this.#http.failure(error);
      }
      peek.push(bytes);
      res.writeHead(answer.statusCode, headers).end(bytes);
      return peek.outcome;
    }
    if (sse) headers['cache-control'] = 'no-cache, no-transform';
    res.writeHead(answer.statusCode, headers);
    try {
      for await (const chunk of answer.body) {
        peek.push(chunk as Buffer);
        if (!res.write(chunk as Buffer)) await new Promise<void>((resolve) => res.once('drain', resolve));
      }
      res.end();
      return peek.outcome;
    } catch (error) {
      const failure = this.#http.failure(error);
      if (sse && !res.destroyed) {
        // End any half-written event, then answer the request so the client is not left waiting.
        res.end(`\n\nevent: message\ndata: ${JSON.stringify(errorResponse(request.original?.() ?? request.message, failure))}\n\n`);
      } else {
        res.destroy();
      }
      throw failure;
    }
  }

  /**
   * Sends the request and returns the upstream's JSON-RPC response, handing each notification that arrives
   * before it (progress, on an SSE answer) to `onNotification`. For batches and stdio, where the router has
   * to hold the answer.
   */
  async exchange(request: ForwardRequest, onNotification?: (notification: UpstreamNotification) => void): Promise<Record<string, unknown>> {
    const answer = await this.#http.post(this.#post(request));
    try {
      const type = answer.headers['content-type'];
      const id = request.message['id'];
      const { response } = await readRpcAnswer(
        answer.body,
        typeof type === 'string' ? type : '',
        typeof id === 'string' || typeof id === 'number' ? id : '',
        (notification) => onNotification?.(notification),
      );
      if (response === undefined)
        throw new AppError('UPSTREAM_UNAVAILABLE', `upstream "${this.#name}" ended its answer without a response`, { details: { upstream: this.#name } });
      return response;
    } catch (error) {
      throw this.#http.failure(error);
    }
  }

  /** Closes every pooled connection. */
  async close(): Promise<void> {
    await this.#http.close();
  }

  #post(request: ForwardRequest): McpHttpRequest {
    return {
      body: request.body,
      token: request.token,
      traceparent: request.traceparent,
      protocolVersion: request.protocolVersion,
      headers: request.headers ?? modernRequestHeaders(request.message),
      passStatuses: request.passRefusals === true ? REFUSALS : undefined,
      signal: request.signal,
    };
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
