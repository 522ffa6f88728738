/**
 * The router's HTTP edge against bounded work and hostile bytes (issues 11.13 and 12.2), and what it counts:
 * a real router listener in-process, real SDK servers as upstreams, raw sockets where a client misbehaves.
 */
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeUpstream } from './fixtures/fake-upstream.ts';
import { eventually, startAlphaUpstream, startTestIssuer, startTestRouter } from './fixtures/test-federation.ts';
import type { TestIssuer, TestRouter } from './fixtures/test-federation.ts';

let issuer: TestIssuer;
let alpha: FakeUpstream;
let router: TestRouter;

beforeAll(async () => {
  issuer = await startTestIssuer();
  alpha = await startAlphaUpstream(issuer, [
    { name: 'alpha_slower', scopes: ['alpha:read'], delayMs: 700 },
    { name: 'alpha_count', scopes: ['alpha:read'] },
  ]);
  router = await startTestRouter({
    issuer,
    upstreams: [{ name: 'alpha', url: alpha.url }],
    http: { headersTimeoutMs: 300, bodyTimeoutMs: 400, maxStreamsPerPrincipal: 2, maxStreams: 3, heartbeatMs: 150 },
  });
});

afterAll(async () => {
  await router?.close();
  await alpha?.stop();
  await issuer?.close();
});

async function post(body: unknown, token?: string): Promise<Response> {
  return fetch(router.url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      authorization: `Bearer ${token ?? (await issuer.user(['alpha:read']))}`,
    },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

/** Opens a notification stream and resolves with its status once the headers arrived; `close` ends it. */
async function openStream(token: string): Promise<{ status: number; retryAfter: string | null; body: Response; close: () => void }> {
  const controller = new AbortController();
  const response = await fetch(router.url, { headers: { accept: 'text/event-stream', authorization: `Bearer ${token}` }, signal: controller.signal });
  return { status: response.status, retryAfter: response.headers.get('retry-after'), body: response, close: () => controller.abort() };
}

/** Writes `text` on a raw connection to the router, then waits up to `waitMs` for what comes back. */
async function rawRequest(text: string, waitMs: number): Promise<{ answer: string; ms: number }> {
  const url = new URL(router.http.url);
  const socket = connect(Number(url.port), url.hostname);
  const started = Date.now();
  let answer = '';
  socket.on('data', (chunk) => (answer += chunk.toString('utf8')));
  socket.write(text);
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, waitMs);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
  });
  socket.destroy();
  return { answer, ms: Date.now() - started };
}

/** JSON text of a value nested `depth` objects deep (too deep for JSON.stringify to write back). */
function nested(depth: number): string {
  return `${'{"a":'.repeat(depth)}"leaf"${'}'.repeat(depth)}`;
}

/** A JSON-RPC request whose params are `params` with `raw` JSON text spliced in as the value of `at`. */
function withRaw(method: string, params: Record<string, unknown>, at: string, raw: string): string {
  const text = JSON.stringify({ jsonrpc: '2.0', id: 7, method, params: { ...params, [at]: '__RAW__' } });
  return text.replace('"__RAW__"', raw);
}

describe('notification streams', () => {
  it('caps the streams of one principal (429) and of the replica (503), with Retry-After, and frees a slot when one closes', async () => {
    const alice = await issuer.user(['alpha:read'], { subject: 'alice' });
    const first = await openStream(alice);
    const second = await openStream(alice);
    expect([first.status, second.status]).toEqual([200, 200]);
    const third = await openStream(alice);
    expect(third.status).toBe(429);
    expect(third.retryAfter).toBe('5');
    expect(((await third.body.json()) as { error: { message: string } }).error.message).toMatch(/^Too many notification streams/);

    const bob = await openStream(await issuer.user(['alpha:read'], { subject: 'bob' }));
    expect(bob.status).toBe(200);
    const carol = await openStream(await issuer.user(['alpha:read'], { subject: 'carol' }));
    expect(carol.status).toBe(503);
    expect(carol.retryAfter).toBe('5');

    first.close();
    await eventually('the closed stream to free its slot', () => router.http.streams === 2);
    const again = await openStream(alice);
    expect(again.status).toBe(200);
    for (const stream of [second, bob, again]) stream.close();
    await eventually('every stream to close', () => router.http.streams === 0);
  });
});

describe('request deadlines', () => {
  it('answers 408 to a body that trickles in past the body deadline, and forwards nothing', async () => {
    const token = await issuer.user(['alpha:read']);
    const seen = alpha.seen.length;
    const { answer, ms } = await rawRequest(
      `POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${token}\r\nContent-Type: application/json\r\nAccept: application/json, text/event-stream\r\nContent-Length: 200\r\n\r\n{"jsonrpc":"2.0",`,
      5000,
    );
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
    expect(ms).toBeLessThan(3000);
    expect(alpha.seen.length).toBe(seen);
  });

  it('answers 408 to headers that never finish', async () => {
    const { answer, ms } = await rawRequest('POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: appl', 5000);
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
    expect(ms).toBeLessThan(3000);
  });

  it('limits neither answers nor notification streams by those deadlines', async () => {
    const stream = await openStream(await issuer.user(['alpha:read'], { subject: 'dave' }));
    expect(stream.status).toBe(200);
    const response = await post({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'alpha_slower', arguments: {} } });
    expect(((await response.json()) as { result: { structuredContent: unknown } }).result.structuredContent).toMatchObject({ tool: 'alpha_slower' });
    const reader = (stream.body.body as ReadableStream<Uint8Array>).getReader();
    let text = '';
    while (!text.includes(': keep-alive')) text += new TextDecoder().decode((await reader.read()).value);
    expect(router.http.streams).toBe(1);
    stream.close();
    await eventually('the stream to close', () => router.http.streams === 0);
  });
});

describe('hostile payloads the router answers itself', () => {
  it.each([
    // Malformed messages are refused at the edge by the servers' own shape check (400, -32600); well-formed messages
    // with bad arguments get the tool's structured error or -32602.
    ['arguments nested 10,000 deep', withRaw('tools/call', { name: 'alpha_get' }, 'arguments', `{"value":${nested(10_000)}}`), 200, 'VALIDATION_FAILED'],
    ['params._meta as an array', { name: 'alpha_get', arguments: {}, _meta: [] }, 400, -32600],
    ['a progressToken that is an object', { name: 'alpha_get', arguments: {}, _meta: { progressToken: { a: 1 } } }, 400, -32600],
    ['arguments as an array', { name: 'alpha_get', arguments: [] }, 200, -32602],
  ])('%s: a structured error, nothing forwarded, the upstream stays available', async (_what, params, status, expected) => {
    const seen = alpha.seen.length;
    const response = await post(typeof params === 'string' ? params : { jsonrpc: '2.0', id: 7, method: 'tools/call', params });
    expect(response.status).toBe(status);
    const body = (await response.json()) as {
      id: number;
      result?: { isError: boolean; structuredContent: { error: { code: string } } };
      error?: { code: number };
    };
    expect(body.id).toBe(7);
    if (typeof expected === 'string') expect(body.result?.structuredContent.error.code).toBe(expected);
    else expect(body.error?.code).toBe(expected);
    expect(alpha.seen.length).toBe(seen);
    expect(router.router.upstreams[0]).toMatchObject({ available: true, breakerState: 'closed' });
  });

  it('refuses params that are an array at the edge (-32600), and answers a resource read nested too deep with -32602', async () => {
    const seen = alpha.seen.length;
    const arrayResponse = await post({ jsonrpc: '2.0', id: 1, method: 'resources/read', params: [] });
    expect(arrayResponse.status).toBe(400);
    expect((await arrayResponse.json()) as { id: number; error: { code: number } }).toMatchObject({ id: 1, error: { code: -32600 } });
    const deep = (await (await post(withRaw('resources/read', { uri: 'alpha://1' }, 'extra', nested(10_000)))).json()) as {
      error: { code: number; data: { code: string } };
    };
    expect(deep.error).toMatchObject({ code: -32602, data: { code: 'VALIDATION_FAILED' } });
    expect(alpha.seen.length).toBe(seen);
    expect(router.router.upstreams[0]).toMatchObject({ available: true, breakerState: 'closed' });
  });
});

describe('what is forwarded', () => {
  it('refuses a request with stray top-level members at the edge, as every server does, and forwards nothing', async () => {
    const before = alpha.seenOf('tools/call').length;
    const response = await post(
      '{"jsonrpc":"2.0","id":9,"method":"tools/call","__proto__":{"x":1},"extra":true,"params":{"name":"alpha_get","arguments":{"value":"v"}}}',
    );
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ id: 9, error: { code: -32600 } });
    expect(alpha.seenOf('tools/call').length).toBe(before);
  });

  it('passes on only the JSON-RPC members of a request', async () => {
    const before = alpha.seenOf('tools/call').length;
    const response = await post({ jsonrpc: '2.0', id: 10, method: 'tools/call', params: { name: 'alpha_get', arguments: { value: 'v' } } });
    expect(((await response.json()) as { result: { structuredContent: unknown } }).result.structuredContent).toMatchObject({ value: 'v' });
    const seen = alpha.seenOf('tools/call').slice(before);
    expect(seen).toHaveLength(1);
    expect(Object.keys(seen[0]?.body ?? {})).toEqual(['jsonrpc', 'id', 'method', 'params']);
  });
});

describe('tool call outcomes', () => {
  it('counts a forwarded call by what the upstream answered, on the lean path (JSON and SSE) and in batches', async () => {
    const call = (id: number, value: string, meta?: Record<string, unknown>) => ({
      jsonrpc: '2.0',
      id,
      method: 'tools/call',
      params: { name: 'alpha_count', arguments: { value }, ...(meta ? { _meta: meta } : {}) },
    });
    expect((await post(call(1, 'not-found'))).status).toBe(200);
    const sse = await (await post(call(2, 'not-found', { progressToken: 'p-2' }))).text();
    expect(sse).toContain('"code":"NOT_FOUND"');
    await (await post([call(3, 'not-found'), call(4, 'fine')])).json();
    await (await post(call(5, 'fine'))).json();
    const metrics = await (await fetch(`${router.http.url}/metrics`)).text();
    expect(metrics).toContain('mcp_tool_calls_total{tool="alpha_count",outcome="error",service="router"} 3');
    expect(metrics).toContain('mcp_tool_errors_total{tool="alpha_count",code="NOT_FOUND",service="router"} 3');
    expect(metrics).toContain('mcp_tool_calls_total{tool="alpha_count",outcome="ok",service="router"} 2');
  });
});
