import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { readRpcAnswer } from './read-rpc-answer.ts';

const body = (...chunks: string[]) => Readable.from(chunks.map((c) => Buffer.from(c, 'utf8')));

describe('readRpcAnswer', () => {
  it('reads a JSON answer and a batch answer by id', async () => {
    expect(await readRpcAnswer(body('{"jsonrpc":"2.0","id":7,', '"result":{"ok":true}}'), 'application/json', 7, () => {})).toEqual({
      response: { jsonrpc: '2.0', id: 7, result: { ok: true } },
    });
    expect(
      await readRpcAnswer(body('[{"jsonrpc":"2.0","id":1,"result":{}},{"jsonrpc":"2.0","id":2,"result":{"n":2}}]'), 'application/json', 2, () => {}),
    ).toEqual({ response: { jsonrpc: '2.0', id: 2, result: { n: 2 } } });
    expect(await readRpcAnswer(body('{"jsonrpc":"2.0","id":3,"result":{}}'), 'application/json', 4, () => {})).toEqual({ response: undefined });
  });

  it('hands notifications over as they come and stops at the response, across chunk boundaries and line endings', async () => {
    const notes: unknown[] = [];
    const progress = (n: number) => `{"jsonrpc":"2.0","method":"notifications/progress","params":{"progressToken":"t","progress":${n}}}`;
    const stream = body(
      ': comment\r\n',
      `event: message\r\ndata: ${progress(0)}\r\n\r\n`,
      `data: ${progress(1).slice(0, 20)}`,
      `${progress(1).slice(20)}\n\n`,
      'event: other\ndata: {"ignored":true}\n\n',
      'data: {"jsonrpc":"2.0",\r',
      '\ndata: "id":9,"result":{"done":true}}\r\n\r\n',
      'data: never read\n\n',
    );
    const answer = await readRpcAnswer(stream, 'text/event-stream', 9, (m) => notes.push(m));
    expect(answer.response).toEqual({ jsonrpc: '2.0', id: 9, result: { done: true } });
    expect(notes).toEqual([JSON.parse(progress(0)), JSON.parse(progress(1))]);
  });

  it('returns no response when the stream ends first', async () => {
    expect(await readRpcAnswer(body('data: {"jsonrpc":"2.0","method":"notifications/progress","params":{}}\n\n'), 'text/event-stream', 1, () => {})).toEqual({
      response: undefined,
    });
  });

  it('refuses a body that is not JSON-RPC JSON as INTERNAL', async () => {
    await expect(readRpcAnswer(body('<html>'), 'application/json', 1, () => {})).rejects.toMatchObject({ code: 'INTERNAL', retryable: false });
    await expect(readRpcAnswer(body('data: 42\n\n'), 'text/event-stream', 1, () => {})).rejects.toMatchObject({ code: 'INTERNAL' });
    await expect(readRpcAnswer(body('data: "', 'x'.repeat(8 * 1024 * 1024 + 1)), 'text/event-stream', 1, () => {})).rejects.toMatchObject({
      code: 'INTERNAL',
      message: expect.stringContaining('exceeds'),
    });
  });
});
