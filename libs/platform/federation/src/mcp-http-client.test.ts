import { createServer } from 'node:http';
import type { IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { McpHttpClient } from './mcp-http-client.ts';
import { readRpcAnswer } from './read-rpc-answer.ts';
import { isTransportFailure, isUpstreamFault } from './upstream-fault.ts';

/** What the test server answers next: status, headers and body. */
let next: { status: number; headers?: Record<string, string>; body?: string } = { status: 200 };
let seen: { headers: IncomingHttpHeaders; body: string } | undefined;
let server: Server;
let url: string;
const clients: McpHttpClient[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      seen = { headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      res.writeHead(next.status, next.headers).end(next.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`;
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

function client(at = url): McpHttpClient {
  const created = new McpHttpClient({ name: 'echo', url: at, connections: 2 });
  clients.push(created);
  return created;
}

const body = '{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"echo_say"}}';

describe('McpHttpClient', () => {
  it('posts the body as is with the MCP headers and hands back a JSON answer to read', async () => {
    next = { status: 200, headers: { 'content-type': 'application/json' }, body: '{"jsonrpc":"2.0","id":7,"result":{"ok":true}}' };
    const answer = await client().post({
      body,
      token: 't0k',
      traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
      protocolVersion: '2025-11-25',
      headers: { 'mcp-method': 'tools/call', 'mcp-name': 'echo_say' },
      signal: AbortSignal.timeout(5000),
    });
    expect(await readRpcAnswer(answer.body, String(answer.headers['content-type']), 7, () => {})).toEqual({
      response: { jsonrpc: '2.0', id: 7, result: { ok: true } },
    });
    expect(seen?.body).toBe(body);
    expect(seen?.headers).toMatchObject({
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      authorization: 'Bearer t0k',
      traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
      'mcp-protocol-version': '2025-11-25',
      'mcp-method': 'tools/call',
      'mcp-name': 'echo_say',
    });
  });

  it('reads an SSE answer: notifications first, then the response', async () => {
    const progress = '{"jsonrpc":"2.0","method":"notifications/progress","params":{"progressToken":"p","progress":1}}';
    next = {
      status: 200,
      headers: { 'content-type': 'text/event-stream' },
      body: `event: message\ndata: ${progress}\n\nevent: message\ndata: {"jsonrpc":"2.0","id":7,"result":{}}\n\n`,
    };
    const answer = await client().post({ body, token: 't', signal: AbortSignal.timeout(5000) });
    const notes: unknown[] = [];
    expect(await readRpcAnswer(answer.body, 'text/event-stream', 7, (n) => notes.push(n))).toEqual({ response: { jsonrpc: '2.0', id: 7, result: {} } });
    expect(notes).toEqual([JSON.parse(progress)]);
  });

  it('rejects a status that is not an answer with the mapped error: 4xx not the upstream fault, 5xx the upstream fault', async () => {
    next = { status: 429, headers: { 'retry-after': '2' }, body: 'slow down' };
    const limited = await client()
      .post({ body, token: 't', signal: AbortSignal.timeout(5000) })
      .catch((e: unknown) => e);
    expect(limited).toMatchObject({ code: 'RATE_LIMITED', retryable: true, details: { upstream: 'echo', status: 429, retry_after_ms: 2000 } });
    expect(isUpstreamFault(limited)).toBe(false);
    next = { status: 503, body: 'down' };
    const down = await client()
      .post({ body, token: 't', signal: AbortSignal.timeout(5000) })
      .catch((e: unknown) => e);
    expect(down).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', retryable: true, details: { upstream: 'echo', status: 503 } });
    expect([isUpstreamFault(down), isTransportFailure(down)]).toEqual([true, false]);
  });

  it('hands back the statuses it is told to pass through', async () => {
    next = {
      status: 400,
      headers: { 'content-type': 'application/json' },
      body: '{"jsonrpc":"2.0","id":7,"error":{"code":-32020,"message":"headers differ"}}',
    };
    const answer = await client().post({ body, token: 't', passStatuses: [400, 202], signal: AbortSignal.timeout(5000) });
    expect(answer.statusCode).toBe(400);
    expect(await answer.body.json()).toMatchObject({ error: { code: -32020 } });
  });

  it('rejects with a transport failure when the upstream cannot be reached, and with the reason when aborted', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const unreachable = await client(`http://127.0.0.1:${port}/mcp`)
      .post({ body, token: 't', signal: AbortSignal.timeout(5000) })
      .catch((e: unknown) => e);
    expect(unreachable).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', message: 'upstream "echo" could not be reached' });
    expect([isTransportFailure(unreachable), isUpstreamFault(unreachable)]).toEqual([true, true]);
    const reason = new Error('caller left');
    const aborted = client().post({ body, token: 't', signal: AbortSignal.abort(reason) });
    await expect(aborted).rejects.toBe(reason);
  });
});
