import type { Transport, TransportSendOptions } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage, MessageExtraInfo, RequestId } from '@modelcontextprotocol/sdk/types.js';

interface Pending {
  originalId: RequestId;
  resolve: (response: Record<string, unknown>) => void;
}

/**
 * An in-process transport for the router's own SDK `Server` (the methods it answers itself: initialize, ping,
 * the lists; and, for batches, the routed ones). One `Server` serves every HTTP request: each request's id is
 * replaced by a process-unique number on the way in and restored on the way out, and {@link request} resolves
 * with its response, so the HTTP layer decides how to write it (alone, or inside a batch array).
 * Notifications the server sends outside a request are dropped: the HTTP router tells its GET streams itself.
 */
export class LocalTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage, extra?: MessageExtraInfo) => void;

  #nextId = 1;
  readonly #pending = new Map<number, Pending>();

  async start(): Promise<void> {}

  async close(): Promise<void> {
    this.onclose?.();
  }

  /** Hands a notification to the server (no answer). */
  notify(message: Record<string, unknown>, extra: MessageExtraInfo): void {
    this.onmessage?.(message as JSONRPCMessage, extra);
  }

  /** Hands a request to the server and resolves with its JSON-RPC response, carrying the caller's id. */
  request(message: Record<string, unknown>, extra: MessageExtraInfo): Promise<Record<string, unknown>> {
    const internalId = this.#nextId++;
    if (this.#nextId > Number.MAX_SAFE_INTEGER - 1) this.#nextId = 1;
    return new Promise((resolve) => {
      this.#pending.set(internalId, { originalId: message['id'] as RequestId, resolve });
      this.onmessage?.({ ...message, id: internalId } as JSONRPCMessage, extra);
    });
  }

  async send(message: JSONRPCMessage, _options?: TransportSendOptions): Promise<void> {
    const msg = message as Record<string, unknown>;
    if (!('id' in msg) || !('result' in msg || 'error' in msg)) return;
    const pending = this.#pending.get(msg['id'] as number);
    if (!pending) return;
    this.#pending.delete(msg['id'] as number);
    pending.resolve({ ...msg, id: pending.originalId });
  }
}
