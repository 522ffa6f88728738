import { describe, expect, it } from 'vitest';
import { toJsonRpcError, toToolErrorResult, AppError } from '@mcpfed/errors';
import { OutcomePeek } from './outcome-peek.ts';

/** Feeds `text` to a peek in chunks of `size` bytes, as a socket might deliver it. */
function peek(text: string, size: number, contentType = 'application/json'): string {
  const bytes = Buffer.from(text);
  const p = new OutcomePeek(contentType);
  for (let at = 0; at < bytes.length; at += size) p.push(bytes.subarray(at, at + size));
  return p.outcome;
}

const ok = JSON.stringify({
  result: {
    content: [{ type: 'text', text: JSON.stringify({ note: '"isError":true and "error":{"code":-1}' }) }],
    structuredContent: { note: '"isError":true' },
  },
  jsonrpc: '2.0',
  id: 1,
});
const toolError = JSON.stringify({ result: toToolErrorResult(new AppError('NOT_FOUND', 'no such customer')), jsonrpc: '2.0', id: 1 });
const rpcError = JSON.stringify({ jsonrpc: '2.0', id: 1, error: toJsonRpcError(new AppError('FORBIDDEN', 'no')) });
const bareRpcError = JSON.stringify({ jsonrpc: '2.0', id: 1, error: { code: -32602, message: 'Invalid params' } });

describe('OutcomePeek', () => {
  it.each([1, 3, 7, 16, 4096])('reads the outcome of answers split into %i-byte chunks', (size) => {
    expect(peek(ok, size)).toBe('ok');
    expect(peek(toolError, size)).toBe('NOT_FOUND');
    expect(peek(rpcError, size)).toBe('FORBIDDEN');
    expect(peek(bareRpcError, size)).toBe('VALIDATION_FAILED');
  });

  it('takes the response of an SSE answer, after its progress notifications', () => {
    const progress = JSON.stringify({ jsonrpc: '2.0', method: 'notifications/progress', params: { progressToken: 1, progress: 1, message: '"isError":true' } });
    expect(peek(`event: message\ndata: ${progress}\n\nevent: message\ndata: ${toolError}\n\n`, 5, 'text/event-stream')).toBe('NOT_FOUND');
    expect(peek(`event: message\ndata: ${progress}\n\nevent: message\ndata: ${ok}\n\n`, 5, 'text/event-stream')).toBe('ok');
  });

  it('counts a failure whose code it cannot read as INTERNAL', () => {
    expect(peek('{"result":{"isError":true,"content":[]}', 8)).toBe('INTERNAL');
    expect(peek(`{"result":{"isError":true,"content":[{"type":"text","text":"${'x'.repeat(100_000)}"}]}}`, 16_384)).toBe('INTERNAL');
  });
});
