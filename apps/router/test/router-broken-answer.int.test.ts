/**
 * An upstream that breaks off a small JSON answer after its headers: the router reads such an answer whole before it
 * writes anything, so the caller gets a complete, structured error instead of a cut connection.
 * A real router in-process, a real SDK upstream behind a pass-through proxy that can cut one answer short.
 */
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeUpstream } from './fixtures/fake-upstream.ts';
import { eventually, startAlphaUpstream, startTestIssuer, startTestRouter } from './fixtures/test-federation.ts';
import type { TestIssuer, TestRouter } from './fixtures/test-federation.ts';

let issuer: TestIssuer;
let alpha: FakeUpstream;
let proxy: Server;
let router: TestRouter;
/** When set, the next tools/call is answered with headers promising 400 bytes, 20 bytes of them, then a cut. */
let breakNextCall = false;
let cutAnswers = 0;

beforeAll(async () => {
  issuer = await startTestIssuer();
  alpha = await startAlphaUpstream(issuer);
  proxy = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    if (breakNextCall && body.includes('"method":"tools/call"')) {
      breakNextCall = false;
      cutAnswers += 1;
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '400' });
      res.write('{"jsonrpc":"2.0","id":');
      setTimeout(() => res.socket?.destroy(), 20);
      return;
    }
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (typeof value === 'string' && !['host', 'connection', 'content-length', 'keep-alive'].includes(name)) headers[name] = value;
    }
    const answer = await fetch(alpha.url, { method: req.method ?? 'POST', headers, ...(body.length > 0 ? { body } : {}) });
    const text = await answer.text();
    res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/json' }).end(text);
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}${new URL(alpha.url).pathname}`;
  router = await startTestRouter({ issuer, upstreams: [{ name: 'alpha', url: proxyUrl }], probeIntervalMs: 100 });
});

afterAll(async () => {
  await router?.close();
  proxy?.closeAllConnections();
  await new Promise<void>((resolve) => (proxy ? proxy.close(() => resolve()) : resolve()));
  await alpha?.stop();
  await issuer?.close();
});

async function callAlphaGet(id: number): Promise<Response> {
  return fetch(router.url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      authorization: `Bearer ${await issuer.user(['alpha:read'])}`,
    },
    body: JSON.stringify({ jsonrpc: '2.0', id, method: 'tools/call', params: { name: 'alpha_get', arguments: {} } }),
  });
}

describe('an upstream answer broken off after its headers', () => {
  it('reaches the caller as a complete UPSTREAM_UNAVAILABLE tool error, and the upstream is back after its probe', async () => {
    const ok = await callAlphaGet(1);
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as { result: { isError?: boolean } }).result.isError).toBeUndefined();

    breakNextCall = true;
    const broken = await callAlphaGet(2);
    expect(cutAnswers).toBe(1);
    expect(broken.status).toBe(200);
    const answer = (await broken.json()) as { id: number; result: { isError: boolean; structuredContent: { error: { code: string } } } };
    expect(answer.id).toBe(2);
    expect(answer.result.isError).toBe(true);
    expect(answer.result.structuredContent.error.code).toBe('UPSTREAM_UNAVAILABLE');

    // A broken connection marks the upstream down until a probe reaches it; then calls go through again.
    await eventually('alpha back up', () => router.router.upstreams[0]?.available === true);
    const again = await callAlphaGet(3);
    expect(((await again.json()) as { result: { isError?: boolean } }).result.isError).toBeUndefined();
  });
});
