import type { Readable, Writable } from 'node:stream';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage, RequestId } from '@modelcontextprotocol/sdk/types.js';
import { JSON_RPC } from '@mcpfed/errors';
import { invalidMessageResponse, jsonRpcMessageProblem, refusedBatchResponses } from './json-rpc-shape.ts';
import { closedSubscription, modernResponse } from './modern-response.ts';
import { REVISION_META, SERVER_CACHE_HINTS, claimedRevision, innerRequest, modernRequestProblem } from './protocol-revision.ts';
import type { CacheHints } from './protocol-revision.ts';

/** Settings of a {@link StdioLineTransport}. */
export interface StdioLineTransportConfig {
  /** Longest line (one message or batch) read, in bytes. Default 4 MiB, as over HTTP. */
  maxLineBytes?: number;
  /** Largest batch, in messages. Default 100, as over HTTP. */
  maxBatch?: number;
  /** Server identity put in 2026-07-28 results' `_meta`. Default none. */
  serverInfo?: unknown;
  /** Cache hints of 2026-07-28 results. Default {@link SERVER_CACHE_HINTS}. */
  cacheHints?: CacheHints;
  /**
   * True when the server announces list changes (`notifications/*\/list_changed`): a 2026-07-28 `subscriptions/listen`
   * then stays open and receives them, tagged with its id. Default false: it is acknowledged and ended at once.
   */
  listChanged?: boolean;
}

/** List-change notifications and the `subscriptions/listen` filter member that asks for each. */
const LIST_CHANGED_FILTER: Readonly<Record<string, string>> = {
  'notifications/tools/list_changed': 'toolsListChanged',
  'notifications/prompts/list_changed': 'promptsListChanged',
  'notifications/resources/list_changed': 'resourcesListChanged',
};

interface OpenBatch {
  /** Internal id -> the client's id, for the requests still to be answered. */
  readonly pending: Map<string, RequestId>;
  readonly answers: unknown[];
}

/**
 * MCP over stdio (newline-delimited JSON-RPC) that answers every message it reads: a line that is not JSON gets
 * -32700, a message that is not a valid MCP message (see jsonRpcMessageProblem) gets -32600 with its id, a batch
 * (2025-03-26 clients) gets one array with an answer per request. The SDK's own stdio transport drops such messages
 * silently, leaving the client waiting. Requests of a batch get internal ids while they run, so they cannot collide
 * with the client's other requests. A request claiming 2026-07-28 in `_meta` is checked (modernRequestProblem), handed to
 * the SDK as it knows it (`server/discover` as `initialize`) and its answer converted back; `subscriptions/listen` is
 * acknowledged and ended at once (a domain server's lists do not change while it runs).
 */
export class StdioLineTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;

  readonly #stdin: Readable;
  readonly #stdout: Writable;
  readonly #maxLineBytes: number;
  readonly #maxBatch: number;
  #buffered: Buffer[] = [];
  #bufferedBytes = 0;
  /** True while the rest of an over-long line is being skipped. */
  #skipping = false;
  #nextBatchId = 1;
  readonly #batchOf = new Map<string, OpenBatch>();
  #closed = false;
  readonly #serverInfo: unknown;
  readonly #hints: CacheHints;
  /** The client's id -> method, for requests claiming 2026-07-28 still running. */
  readonly #modern = new Map<RequestId, string>();
  readonly #listChanged: boolean;
  /** Open 2026-07-28 subscriptions: id -> the notifications they asked for. */
  readonly #listens = new Map<RequestId, ReadonlySet<string>>();
  /** True once the client sent initialize: unsolicited notifications are then for it as they are (2025-11-25). */
  #initialized = false;

  constructor(stdin: Readable, stdout: Writable, config: StdioLineTransportConfig = {}) {
    this.#stdin = stdin;
    this.#stdout = stdout;
    this.#maxLineBytes = config.maxLineBytes ?? 4 * 1024 * 1024;
    this.#maxBatch = config.maxBatch ?? 100;
    this.#serverInfo = config.serverInfo;
    this.#hints = config.cacheHints ?? SERVER_CACHE_HINTS;
    this.#listChanged = config.listChanged ?? false;
  }

  readonly #onData = (chunk: Buffer): void => {
    let start = 0;
    for (let newline = chunk.indexOf(10); newline !== -1; newline = chunk.indexOf(10, start)) {
      this.#append(chunk.subarray(start, newline));
      this.#endLine();
      start = newline + 1;
    }
    if (start < chunk.length) this.#append(chunk.subarray(start));
  };

  readonly #onError = (error: Error): void => this.onerror?.(error);

  async start(): Promise<void> {
    this.#stdin.on('data', this.#onData);
    this.#stdin.on('error', this.#onError);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#stdin.off('data', this.#onData);
    this.#stdin.off('error', this.#onError);
    if (this.#stdin.listenerCount('data') === 0) this.#stdin.pause();
    this.onclose?.();
  }

  async send(message: JSONRPCMessage): Promise<void> {
    const msg = message as Record<string, unknown>;
    const isResponse = 'id' in msg && ('result' in msg || 'error' in msg);
    const modernMethod = isResponse ? this.#modern.get(msg['id'] as RequestId) : undefined;
    if (modernMethod !== undefined) {
      this.#modern.delete(msg['id'] as RequestId);
      return this.#write(modernResponse(modernMethod, msg, this.#hints, this.#serverInfo));
    }
    const filterMember = isResponse ? undefined : LIST_CHANGED_FILTER[msg['method'] as string];
    if (filterMember !== undefined) return this.#announce(msg, filterMember);
    const batch = isResponse ? this.#batchOf.get(msg['id'] as string) : undefined;
    if (batch === undefined) return this.#write(message);
    const internalId = msg['id'] as string;
    this.#batchOf.delete(internalId);
    batch.answers.push({ ...msg, id: batch.pending.get(internalId) });
    batch.pending.delete(internalId);
    if (batch.pending.size === 0) await this.#write(batch.answers);
  }

  #append(part: Buffer): void {
    if (this.#skipping || part.length === 0) return;
    this.#bufferedBytes += part.length;
    if (this.#bufferedBytes > this.#maxLineBytes) {
      this.#buffered = [];
      this.#bufferedBytes = 0;
      this.#skipping = true;
      void this.#write({
        jsonrpc: '2.0',
        id: null,
        error: { code: JSON_RPC.INVALID_REQUEST, message: `Invalid Request: a message may hold at most ${this.#maxLineBytes} bytes` },
      });
      return;
    }
    this.#buffered.push(part);
  }

  #endLine(): void {
    const line = Buffer.concat(this.#buffered).toString('utf8').replace(/\r$/, '');
    const skipped = this.#skipping;
    this.#buffered = [];
    this.#bufferedBytes = 0;
    this.#skipping = false;
    if (skipped || line.trim() === '') return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      void this.#write({ jsonrpc: '2.0', id: null, error: { code: JSON_RPC.PARSE_ERROR, message: 'Parse error: the line is not valid JSON' } });
      return;
    }
    if (Array.isArray(parsed)) this.#receiveBatch(parsed);
    else this.#receive(parsed);
  }

  #receive(value: unknown): void {
    const problem = jsonRpcMessageProblem(value);
    if (problem !== undefined) {
      void this.#write(invalidMessageResponse(value, problem));
      return;
    }
    const message = value as Record<string, unknown>;
    // A client's response has nothing to answer: servers here never send requests.
    if (!('method' in message)) return;
    if (message['method'] === 'notifications/cancelled')
      this.#listens.delete((message['params'] as { requestId?: RequestId } | undefined)?.requestId as RequestId);
    if (claimedRevision(message) === undefined) {
      if (message['method'] === 'initialize') this.#initialized = true;
      this.onmessage?.(message as JSONRPCMessage);
      return;
    }
    const refused = modernRequestProblem(message);
    if (refused !== undefined) {
      if ('id' in message) void this.#write({ jsonrpc: '2.0', id: message['id'], error: refused.error });
      return;
    }
    if (!('id' in message)) {
      this.onmessage?.(message as JSONRPCMessage);
      return;
    }
    if (message['method'] === 'subscriptions/listen') {
      const [ack, end] = closedSubscription(message, this.#serverInfo);
      if (!this.#listChanged) {
        void this.#write(ack).then(() => this.#write(end));
        return;
      }
      const asked = ((message['params'] as Record<string, unknown>)['notifications'] ?? {}) as Record<string, unknown>;
      const agreed = Object.values(LIST_CHANGED_FILTER).filter((member) => asked[member] === true);
      this.#listens.set(message['id'] as RequestId, new Set(agreed));
      void this.#write({ ...ack, params: { ...(ack['params'] as Record<string, unknown>), notifications: Object.fromEntries(agreed.map((m) => [m, true])) } });
      return;
    }
    this.#modern.set(message['id'] as RequestId, message['method'] as string);
    this.onmessage?.(innerRequest(message) as JSONRPCMessage);
  }

  #receiveBatch(messages: unknown[]): void {
    if (messages.length === 0 || messages.length > this.#maxBatch) {
      const message = messages.length === 0 ? 'Invalid Request: empty batch' : `Invalid Request: a batch may hold at most ${this.#maxBatch} messages`;
      void this.#write({ jsonrpc: '2.0', id: null, error: { code: JSON_RPC.INVALID_REQUEST, message } });
      return;
    }
    const problems = messages.map(jsonRpcMessageProblem);
    if (problems.some((problem) => problem !== undefined)) {
      void this.#write(refusedBatchResponses(messages, problems));
      return;
    }
    if (messages.some((m) => claimedRevision(m as Record<string, unknown>) !== undefined)) {
      void this.#write({
        jsonrpc: '2.0',
        id: null,
        error: { code: JSON_RPC.INVALID_REQUEST, message: 'Invalid Request: a 2026-07-28 request cannot be sent in a batch' },
      });
      return;
    }
    const batch: OpenBatch = { pending: new Map(), answers: [] };
    const dispatch: JSONRPCMessage[] = [];
    for (const message of messages as Array<Record<string, unknown>>) {
      if (!('method' in message)) continue;
      if (!('id' in message)) {
        dispatch.push(message as JSONRPCMessage);
        continue;
      }
      // A NUL-prefixed id: no client has a reason to use one, so internal ids do not meet the client's own.
      const internalId = `\u0000batch:${this.#nextBatchId++}`;
      batch.pending.set(internalId, message['id'] as RequestId);
      this.#batchOf.set(internalId, batch);
      dispatch.push({ ...message, id: internalId } as JSONRPCMessage);
    }
    for (const message of dispatch) this.onmessage?.(message);
  }

  /** A list change: as it is to a 2025-11-25 client, tagged to each 2026-07-28 subscription that asked for it. */
  async #announce(notification: Record<string, unknown>, filterMember: string): Promise<void> {
    if (this.#initialized) await this.#write(notification);
    for (const [id, agreed] of this.#listens) {
      if (agreed.has(filterMember))
        await this.#write({ jsonrpc: '2.0', method: notification['method'], params: { _meta: { [REVISION_META.subscriptionId]: id } } });
    }
  }

  #write(message: unknown): Promise<void> {
    if (this.#closed) return Promise.resolve();
    return new Promise((resolve) => {
      if (this.#stdout.write(`${JSON.stringify(message)}\n`)) resolve();
      else this.#stdout.once('drain', resolve);
    });
  }
}
