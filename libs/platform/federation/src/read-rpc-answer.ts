import type { Readable } from 'node:stream';
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
 * `application/json` message, or a `text/event-stream` whose `message` events carry notifications and then
 * the response. Notifications are handed to `onNotification` as they arrive (progress while the call runs);
 * whatever follows the response is drained unread, so the keep-alive connection returns to its pool.
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
  const decoder = new TextDecoder();
  let buffer = '';
  let data: string[] = [];
  let eventName = 'message';
  let response: Record<string, unknown> | undefined;
  for await (const chunk of body) {
    // After the response the rest is drained unread: ending the body early would cost the pooled connection.
    if (response !== undefined) continue;
    buffer += decoder.decode(chunk, { stream: true });
    if (buffer.length > MAX_MESSAGE_CHARS) throw unreadable(`an event exceeds ${MAX_MESSAGE_CHARS} characters`);
    let newline: number;
    while (response === undefined && (newline = buffer.search(/\r\n|\r|\n/)) >= 0) {
      // A CR at the end of a chunk may be the first half of a CRLF: wait for the next chunk.
      if (buffer[newline] === '\r' && newline === buffer.length - 1) break;
      const line = buffer.slice(0, newline);
      buffer = buffer.slice(newline + (buffer[newline] === '\r' && buffer[newline + 1] === '\n' ? 2 : 1));
      if (line === '') {
        // A blank line dispatches the event (WHATWG HTML, server-sent events §9.2.6).
        if (data.length > 0 && eventName === 'message') {
          const parsed = parse(data.join('\n'));
          if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw unreadable('an event is not a JSON-RPC message');
          const message = parsed as Record<string, unknown>;
          if ('method' in message) onNotification(message);
          else if (message['id'] === id) response = message;
        }
        data = [];
        eventName = 'message';
        continue;
      }
      if (line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      let value = colon < 0 ? '' : line.slice(colon + 1);
      if (value.startsWith(' ')) value = value.slice(1);
      if (field === 'data') data.push(value);
      else if (field === 'event') eventName = value;
    }
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
