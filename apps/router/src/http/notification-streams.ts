import type { ServerResponse } from 'node:http';
import type { Principal } from '@mcpfed/auth';
import { JSON_RPC } from '@mcpfed/errors';
import { sendRpcError } from '@mcpfed/mcp-runtime';
import type { Router, ViewName } from '../router.ts';
import type { StreamDialect } from './stream-dialect.ts';

/** Settings of {@link NotificationStreams}. */
export interface NotificationStreamsConfig {
  /** Whose catalog changes the streams carry. */
  router: Pick<Router, 'onCatalogChange'>;
  /** Interval of comment lines on idle streams (keeps proxies from closing them), in milliseconds. */
  heartbeatMs: number;
  /** Streams one principal may hold open at once (429 above). */
  maxStreamsPerPrincipal: number;
  /** Streams held open at once (503 above). */
  maxStreams: number;
}

/** Seconds a client refused a notification stream is asked to wait (`Retry-After`). */
const STREAM_RETRY_AFTER_SECONDS = 5;

/**
 * The notification streams a router replica holds open (2025-11-25 `GET /mcp` streams and 2026-07-28
 * `subscriptions/listen`): each receives the list changes of its view in its dialect, within the stream limits,
 * until the client goes away or {@link NotificationStreams.endAll} ends it.
 */
export class NotificationStreams {
  readonly #config: NotificationStreamsConfig;
  readonly #streams = new Map<ServerResponse, StreamDialect>();
  readonly #streamsOf = new Map<string, number>();
  #ended = false;

  constructor(config: NotificationStreamsConfig) {
    this.#config = config;
  }

  /** Streams open now. */
  get size(): number {
    return this.#streams.size;
  }

  /** Holds `res` open as a stream of `view`'s list changes, or refuses it (503 while shutting down or full, 429 above the principal's share). */
  hold(res: ServerResponse, principal: Principal, view: ViewName, dialect: StreamDialect): void {
    if (this.#ended) {
      sendRpcError(res, 503, JSON_RPC.SERVER_ERROR, 'Shutting down', { 'retry-after': '1' });
      return;
    }
    // Each open stream holds a socket and a listener for as long as the client likes: bounded per principal
    // (one caller cannot take them all) and overall.
    const retryAfter = { 'retry-after': String(STREAM_RETRY_AFTER_SECONDS) };
    const held = this.#streamsOf.get(principal.id) ?? 0;
    if (held >= this.#config.maxStreamsPerPrincipal) {
      sendRpcError(
        res,
        429,
        JSON_RPC.SERVER_ERROR,
        `Too many notification streams: this principal holds ${held}, the most allowed; close one before opening another`,
        retryAfter,
      );
      return;
    }
    if (this.#streams.size >= this.#config.maxStreams) {
      sendRpcError(
        res,
        503,
        JSON_RPC.SERVER_ERROR,
        `This router holds its maximum of ${this.#config.maxStreams} notification streams; retry later or on another replica`,
        retryAfter,
      );
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache, no-transform', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    res.write(dialect.opening);
    this.#streams.set(res, dialect);
    this.#streamsOf.set(principal.id, held + 1);
    const unsubscribe = this.#config.router.onCatalogChange(view, (changed) => {
      for (const kind of changed) {
        const event = dialect.event(kind);
        if (event !== undefined) res.write(event);
      }
    });
    const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), this.#config.heartbeatMs);
    heartbeat.unref();
    res.once('close', () => {
      clearInterval(heartbeat);
      unsubscribe();
      this.#streams.delete(res);
      const left = (this.#streamsOf.get(principal.id) ?? 1) - 1;
      if (left > 0) this.#streamsOf.set(principal.id, left);
      else this.#streamsOf.delete(principal.id);
    });
  }

  /** Ends every stream with its dialect's closing bytes (clients reconnect to another replica) and refuses new ones. */
  endAll(): void {
    this.#ended = true;
    for (const [stream, dialect] of this.#streams) stream.end(dialect.closing);
  }
}
