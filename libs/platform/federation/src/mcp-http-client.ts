import { Pool } from 'undici';
import type { Dispatcher } from 'undici';
import { AppError } from '@mcpfed/errors';
import { transportFailure } from './upstream-fault.ts';
import { upstreamStatusError } from './upstream-status-error.ts';

/** Settings of an {@link McpHttpClient} (static configuration, one client per upstream). */
export interface McpHttpClientConfig {
  /** The upstream's logical name (`customer`, `payment`): named in errors. */
  name: string;
  /** Its Streamable HTTP endpoint, e.g. `http://127.0.0.1:8081/mcp` (http or https). */
  url: string;
  /** Keep-alive connections kept to it at most (its concurrency limit). */
  connections: number;
  /** Time to open a connection, in milliseconds. Default 2000. */
  connectTimeoutMs?: number;
}

/** One JSON-RPC message to POST. */
export interface McpHttpRequest {
  /** The JSON-RPC message, serialised (sent as is: the client never parses or copies it). */
  body: string | Buffer;
  /** Bearer token addressed to the upstream. */
  token: string;
  /** W3C traceparent sent as a header. Default: none. */
  traceparent?: string | undefined;
  /** `MCP-Protocol-Version` header. Default: none. */
  protocolVersion?: string | undefined;
  /** Further headers (`Mcp-Method`, `Mcp-Name`, a 2026-07-28 `MCP-Protocol-Version`), set last. Default: none. */
  headers?: Readonly<Record<string, string>> | undefined;
  /** Statuses besides 200 that are returned as the answer rather than mapped to an error (the router's pass-through of 400 and 202). Default: none. */
  passStatuses?: readonly number[] | undefined;
  /** Aborts the request (timeout, caller gone): the post then rejects with the signal's reason. */
  signal: AbortSignal;
}

/** Keep-alive connections idle longer than this are closed, in milliseconds. */
const KEEP_ALIVE_MS = 30_000;

/**
 * The one MCP-over-HTTP client of the federation client and the router (docs/architecture.md §10): a pooled
 * keep-alive undici connection per upstream that POSTs a JSON-RPC message as bytes with only headers added and
 * hands back the answer's body unread (JSON or SSE: {@link readRpcAnswer} reads it, the router streams it on).
 * A status that is not an MCP answer becomes the AppError of {@link upstreamStatusError}; a request that could
 * not be sent, a {@link transportFailure}.
 */
export class McpHttpClient {
  readonly #name: string;
  readonly #path: string;
  readonly #pool: Pool;

  /** @throws TypeError for a URL that cannot be parsed. */
  constructor(config: McpHttpClientConfig) {
    const url = new URL(config.url);
    this.#name = config.name;
    this.#path = `${url.pathname}${url.search}`;
    this.#pool = new Pool(url.origin, {
      connections: config.connections,
      pipelining: 1,
      keepAliveTimeout: KEEP_ALIVE_MS,
      connect: { timeout: config.connectTimeoutMs ?? 2000 },
    });
  }

  /**
   * POSTs `request.body` and resolves with the upstream's answer once its headers arrived: status 200 (or one of
   * `passStatuses`), its body to read or stream. Rejects with the mapped AppError for any other status (its body
   * read away, so the connection is reused), with a transport failure when the upstream could not be reached, and
   * with the signal's reason when it aborted.
   */
  async post(request: McpHttpRequest): Promise<Dispatcher.ResponseData> {
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      authorization: `Bearer ${request.token}`,
    };
    if (request.traceparent !== undefined) headers['traceparent'] = request.traceparent;
    if (request.protocolVersion !== undefined) headers['mcp-protocol-version'] = request.protocolVersion;
    if (request.headers !== undefined) Object.assign(headers, request.headers);
    let answer: Dispatcher.ResponseData;
    try {
      answer = await this.#pool.request({ path: this.#path, method: 'POST', headers, body: request.body, signal: request.signal });
    } catch (error) {
      throw this.failure(error, request.signal);
    }
    if (answer.statusCode === 200 || request.passStatuses?.includes(answer.statusCode) === true) return answer;
    const text = await answer.body.text().catch(() => '');
    throw upstreamStatusError(this.#name, answer.statusCode, answer.headers, text);
  }

  /** Resolves when `GET <origin>/readyz` answers 200 (every mcpfed server's readiness, docs/architecture.md §2); rejects otherwise. */
  async ready(signal: AbortSignal): Promise<void> {
    const res = await this.#pool.request({ path: '/readyz', method: 'GET', signal });
    await res.body.dump();
    if (res.statusCode !== 200) throw new Error(`readyz answered ${res.statusCode}`);
  }

  /**
   * What a failure while sending or reading an answer means to the caller: the signal's reason when it aborted,
   * an AppError unchanged, anything else a {@link transportFailure} (the connection broke).
   */
  failure(error: unknown, signal?: AbortSignal): unknown {
    if (signal?.aborted === true) return signal.reason;
    if (AppError.is(error)) return error;
    return transportFailure(this.#name, error);
  }

  /** Closes every pooled connection (waits for requests in flight). */
  async close(): Promise<void> {
    await this.#pool.close();
  }
}
