import type { Readable } from 'node:stream';
import { createParser } from 'eventsource-parser';
import { AppError } from '@mcpfed/errors';

/** What a Streamable HTTP POST carrying one request answered with. */
export interface RpcAnswer {
  /** The JSON-RPC response to the request (matched by id), or undefined when none arrived. */
  readonly response: Record<string, unknown> | undefined;
}

/** Largest JSON body or SSE event read, in characters; a bigger answer is refused rather than buffered. */
const MAX_MESSAGE_CHARS = 8 * 1024 * 1024;

/**
 * Reads the answer to one JSON-RPC request from a Streamable HTTP response body (MCP 2025-11-25): a single
 * `application/json` message, or a `text/event-stream` (parsed by `eventsource-parser`) whose `message` events
 * carry notifications and then the response. Notifications are handed to `onNotification` as they arrive (progress
 * while the call runs); whatever follows the response is drained unread, so the keep-alive connection returns to
 * its pool.
 * @throws AppError INTERNAL for a body that is not JSON-RPC JSON or exceeds the size limit (not retryable: the
 *   upstream is not speaking this protocol). Transport errors while reading pass unchanged, for the retry.
 */
export async function readRpcAnswer(
  body: Readable & AsyncIterable<Buffer>,
  contentType: string,
  id: string | number,
  onNotification: (message: Record<string, unknown>) => void,
): Promise<RpcAnswer> {
  if (!contentType.includes('text/event-stream')) {
    let text = '';
    for await (const chunk of body) {
      text += chunk.toString('utf8');
      if (text.length > MAX_MESSAGE_CHARS) throw unreadable(`the answer exceeds ${MAX_MESSAGE_CHARS} characters`);
    }
    const message = parse(text);
    return { response: findResponse(Array.isArray(message) ? message : [message], id) };
  }
  let response: Record<string, unknown> | undefined;
  let failure: AppError | undefined;
  const parser = createParser({
    maxBufferSize: MAX_MESSAGE_CHARS,
    // Unknown fields and bad retry values are ignored, as the SSE rules say; only the size limit ends the read.
    onError(error) {
      if (error.type === 'max-buffer-size-exceeded') failure ??= unreadable(`an event exceeds ${MAX_MESSAGE_CHARS} characters`);
    },
    onEvent(event) {
      if (response !== undefined || (event.event !== undefined && event.event !== 'message')) return;
      const parsed = parse(event.data);
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw unreadable('an event is not a JSON-RPC message');
      const message = parsed as Record<string, unknown>;
      if ('method' in message) onNotification(message);
      else if (message['id'] === id) response = message;
    },
  });
  const decoder = new TextDecoder();
  for await (const chunk of body) {
    // After the response the rest is drained unread: ending the body early would cost the pooled connection.
    if (response !== undefined) continue;
    parser.feed(decoder.decode(chunk, { stream: true }));
    if (failure !== undefined) throw failure;
  }
  return { response };
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (cause) {
    throw new AppError('INTERNAL', 'the upstream answered with a body that is not JSON', { cause });
  }
}

function unreadable(reason: string): AppError {
  return new AppError('INTERNAL', `the upstream's answer cannot be read: ${reason}`);
}

function findResponse(messages: unknown[], id: string | number): Record<string, unknown> | undefined {
  for (const message of messages) {
    if (typeof message === 'object' && message !== null && (message as Record<string, unknown>)['id'] === id) return message as Record<string, unknown>;
  }
  return undefined;
}
