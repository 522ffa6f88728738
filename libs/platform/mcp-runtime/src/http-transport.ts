import type { ServerResponse } from 'node:http';
import type { Transport, TransportSendOptions } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage, MessageExtraInfo, RequestId } from '@modelcontextprotocol/sdk/types.js';
import type { RequestAttachment } from './request-attachment.ts';
import { modernErrorStatus, modernResponse } from './modern-response.ts';
import { SERVER_CACHE_HINTS, claimedRevision, innerRequest } from './protocol-revision.ts';
import type { CacheHints } from './protocol-revision.ts';

/** How one HTTP POST answers: one JSON body, or an SSE stream carrying notifications then responses. */
export type ExchangeMode = 'json' | 'sse';

/** One HTTP POST /mcp carrying one message or a batch. */
export interface HttpExchange {
  readonly res: ServerResponse;
  readonly mode: ExchangeMode;
  /** True when the body was a JSON array: the answer is an array too. */
  readonly batch: boolean;
  /** Called once every response has been written. */
  readonly onDone: () => void;
}

interface OpenExchange extends HttpExchange {
  originalIds: Map<number, RequestId>;
  /** Internal id -> method, for the requests that claimed 2026-07-28 (their answers are converted). */
  modern: Map<number, string>;
  /** HTTP status of a lone JSON answer (a 2026-07-28 -32601 is 404). */
  status: number;
  responses: unknown[];
  sseStarted: boolean;
  finished: boolean;
}

/** Settings of a {@link MultiplexHttpTransport}. */
export interface MultiplexHttpTransportConfig {
  /** Server identity put in 2026-07-28 results' `_meta`. Default none. */
  serverInfo?: unknown;
  /** Cache hints of 2026-07-28 results. Default {@link SERVER_CACHE_HINTS}. */
  cacheHints?: CacheHints;
}

/**
 * A lean, stateless Streamable HTTP transport (MCP 2025-11-25, "Streamable HTTP") that multiplexes many HTTP
 * requests over ONE SDK `Server`. Each request's JSON-RPC id is replaced by a process-unique number on the
 * way in and restored on the way out, so ids chosen by different clients never collide inside the protocol
 * layer. Progress notifications related to a request travel on that request's SSE stream. Server-to-client
 * requests are not possible without a session and are never sent by mcpfed's servers.
 * Both revisions share the one SDK `Server`: a request claiming 2026-07-28 in `_meta` is handed over as the SDK
 * knows it (`server/discover` as `initialize`) and its answer converted back (protocol-revision.ts).
 */
export class MultiplexHttpTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage, extra?: MessageExtraInfo) => void;

  #nextId = 1;
  readonly #routes = new Map<number, OpenExchange>();
  readonly #serverInfo: unknown;
  readonly #hints: CacheHints;

  constructor(config: MultiplexHttpTransportConfig = {}) {
    this.#serverInfo = config.serverInfo;
    this.#hints = config.cacheHints ?? SERVER_CACHE_HINTS;
  }

  async start(): Promise<void> {}

  async close(): Promise<void> {
    this.onclose?.();
  }

  /** Number of requests whose response has not been written yet. */
  get inFlight(): number {
    return this.#routes.size;
  }

  /**
   * Hands the messages of one POST to the protocol layer. `messages` are already checked to be JSON-RPC
   * requests or notifications; client responses and cancellations are dropped by the caller (a stateless
   * server has no outstanding requests and cannot correlate a cancellation sent on another connection).
   */
  dispatch(
    messages: Array<Record<string, unknown>>,
    exchange: HttpExchange,
    attachments: RequestAttachment[],
    headers: Record<string, string | string[] | undefined>,
  ): void {
    const open: OpenExchange = { ...exchange, originalIds: new Map(), modern: new Map(), status: 200, responses: [], sseStarted: false, finished: false };
    let requests = 0;
    // The messages of one POST share its principal: copy its scopes for the SDK once, not once per message.
    let scopesOf: { principal: RequestAttachment['principal']; scopes: string[] } | undefined;
    const requestInfo = { headers };
    for (let i = 0; i < messages.length; i++) {
      const message = messages[i] as Record<string, unknown>;
      const attachment = attachments[i] as RequestAttachment;
      if (scopesOf?.principal !== attachment.principal) scopesOf = { principal: attachment.principal, scopes: [...attachment.principal.scopes] };
      const extra: MessageExtraInfo = {
        authInfo: {
          token: attachment.principal.token ?? '',
          clientId: attachment.principal.subject,
          scopes: scopesOf.scopes,
          extra: { mcpfed: attachment },
        },
        requestInfo,
      };
      if ('id' in message) {
        const internalId = this.#nextId++;
        if (this.#nextId > Number.MAX_SAFE_INTEGER - 1) this.#nextId = 1;
        open.originalIds.set(internalId, message['id'] as RequestId);
        this.#routes.set(internalId, open);
        requests++;
        if (claimedRevision(message) !== undefined) open.modern.set(internalId, message['method'] as string);
        this.onmessage?.({ ...innerRequest(message), id: internalId } as JSONRPCMessage, extra);
      } else {
        this.onmessage?.(message as JSONRPCMessage, extra);
      }
    }
    if (requests === 0) {
      open.finished = true;
      exchange.res.writeHead(202).end();
      exchange.onDone();
      return;
    }
    exchange.res.once('close', () => {
      if (open.finished) return;
      // The client went away: cancel its handlers so they stop work (they observe ctx.signal).
      for (const internalId of open.originalIds.keys()) {
        if (!this.#routes.delete(internalId)) continue;
        this.onmessage?.({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: internalId, reason: 'client disconnected' } });
      }
      open.finished = true;
      exchange.onDone();
    });
  }

  async send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    const msg = message as Record<string, unknown>;
    if ('id' in msg && ('result' in msg || 'error' in msg)) {
      const internalId = msg['id'] as number;
      const exchange = this.#routes.get(internalId);
      if (!exchange) return;
      this.#routes.delete(internalId);
      let out: Record<string, unknown> = { ...msg, id: exchange.originalIds.get(internalId) };
      exchange.originalIds.delete(internalId);
      const modernMethod = exchange.modern.get(internalId);
      if (modernMethod !== undefined) {
        exchange.modern.delete(internalId);
        out = modernResponse(modernMethod, out, this.#hints, this.#serverInfo);
        if (!exchange.batch) exchange.status = modernErrorStatus((out['error'] as { code?: unknown } | undefined)?.code);
      }
      if (exchange.mode === 'sse') {
        this.#writeEvent(exchange, out);
      } else {
        exchange.responses.push(out);
      }
      if (exchange.originalIds.size === 0) this.#finish(exchange);
      return;
    }
    const related = options?.relatedRequestId;
    if (related === undefined) return;
    const exchange = this.#routes.get(related as number);
    if (!exchange || exchange.mode !== 'sse') return;
    this.#writeEvent(exchange, msg);
  }

  #writeEvent(exchange: OpenExchange, message: unknown): void {
    if (exchange.finished) return;
    if (!exchange.sseStarted) {
      exchange.sseStarted = true;
      exchange.res.writeHead(200, {
        'content-type': 'text/event-stream',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
    }
    exchange.res.write(`event: message\ndata: ${JSON.stringify(message)}\n\n`);
  }

  #finish(exchange: OpenExchange): void {
    if (exchange.finished) return;
    exchange.finished = true;
    if (exchange.mode === 'sse') {
      exchange.res.end();
    } else {
      const body = JSON.stringify(exchange.batch ? exchange.responses : exchange.responses[0]);
      exchange.res.writeHead(exchange.status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }).end(body);
    }
    exchange.onDone();
  }
}
