import { Client as ModernClient, StreamableHTTPClientTransport as ModernHttpTransport } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeUpstream } from './fixtures/fake-upstream.ts';
import type { FakeUpstream } from './fixtures/fake-upstream.ts';
import { eventually, startAlphaUpstream, startTestIssuer, startTestRouter } from './fixtures/test-federation.ts';
import type { TestIssuer, TestRouter } from './fixtures/test-federation.ts';

// The router's own 2026-07-28 answers: lists, discover, edge refusals and subscriptions/listen (docs/decisions.md).

const MODERN = '2026-07-28';
const envelope = {
  'io.modelcontextprotocol/protocolVersion': MODERN,
  'io.modelcontextprotocol/clientCapabilities': {},
  'io.modelcontextprotocol/clientInfo': { name: 'raw', version: '0' },
};
const SUBSCRIPTION = 'io.modelcontextprotocol/subscriptionId';
const LOG_LEVEL = 'io.modelcontextprotocol/logLevel';

let issuer: TestIssuer;
let alpha: FakeUpstream;
let beta: FakeUpstream;
let router: TestRouter;
let token: string;

function post(body: unknown, headers: Record<string, string>, path = '/mcp') {
  return fetch(`${router.http.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', authorization: `Bearer ${token}`, ...headers },
    body: JSON.stringify(body),
  });
}

const modern = (method: string, name?: string) => ({
  'mcp-protocol-version': MODERN,
  'mcp-method': method,
  ...(name === undefined ? {} : { 'mcp-name': name }),
});

/** Reads SSE `data:` messages from a streaming response as they come. */
function sseReader(res: Response) {
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  const messages: Array<Record<string, unknown>> = [];
  let buffered = '';
  let ended = false;
  void (async () => {
    for (;;) {
      const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
      if (done) break;
      buffered += decoder.decode(value, { stream: true });
      const events = buffered.split('\n\n');
      buffered = events.pop() ?? '';
      for (const event of events) {
        const data = event.split('\n').find((line) => line.startsWith('data: '));
        if (data) messages.push(JSON.parse(data.slice(6)));
      }
    }
    ended = true;
  })();
  return { messages, ended: () => ended, cancel: () => reader.cancel() };
}

beforeAll(async () => {
  issuer = await startTestIssuer();
  alpha = await startAlphaUpstream(issuer);
  beta = await startFakeUpstream({ name: 'beta', verifier: issuer.verifier, tools: [{ name: 'beta_get', scopes: ['beta:read'] }] });
  router = await startTestRouter({
    issuer,
    upstreams: [
      { name: 'alpha', url: alpha.url },
      { name: 'beta', url: beta.url },
    ],
    probeIntervalMs: 100,
  });
  token = await issuer.user(['alpha:read', 'beta:read']);
});

afterAll(async () => {
  await router?.close();
  await alpha?.stop();
  await beta?.stop();
  await issuer?.close();
});

describe('the router on 2026-07-28', () => {
  it('lists through the SDK v2 client and answers its merged lists with private, never-reused cache hints', async () => {
    const client = new ModernClient({ name: 'router-revisions', version: '0.0.0' }, { versionNegotiation: { mode: { pin: MODERN } } });
    await client.connect(new ModernHttpTransport(new URL(router.url), { requestInit: { headers: { authorization: `Bearer ${token}` } } }));
    expect(client.getProtocolEra()).toBe('modern');
    expect((await client.listTools()).tools.map((t) => t.name).sort()).toEqual(['alpha_get', 'beta_get']);
    await client.close();

    const list = await post({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: { _meta: envelope } }, modern('tools/list'));
    expect(list.status).toBe(200);
    const body = (await list.json()) as { result: Record<string, unknown> };
    expect(body.result).toMatchObject({
      resultType: 'complete',
      ttlMs: 0,
      cacheScope: 'private',
      _meta: { 'io.modelcontextprotocol/serverInfo': { name: 'mcpfed-router' } },
    });
    const discover = (await (
      await post({ jsonrpc: '2.0', id: 2, method: 'server/discover', params: { _meta: envelope } }, modern('server/discover'))
    ).json()) as {
      result: Record<string, unknown>;
    };
    expect(discover.result).toMatchObject({
      resultType: 'complete',
      cacheScope: 'public',
      supportedVersions: expect.arrayContaining([MODERN, '2025-11-25']),
      capabilities: { tools: { listChanged: true } },
    });
  });

  it('refuses a call whose Mcp-Name it cannot route and is not the body’s tool before forwarding it', async () => {
    // A header naming a tool the caller may call is routed on and the upstream checks it against the body
    // (router-header-routing.e2e.int.test.ts); one naming no such tool takes the parsed path and is refused here.
    const before = alpha.seenOf('tools/call').length + beta.seenOf('tools/call').length;
    const res = await post(
      { jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: 'alpha_get', arguments: { value: 'x' }, _meta: envelope } },
      modern('tools/call', 'beta_nothing'),
    );
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ id: 3, error: { code: -32020 } });
    expect(alpha.seenOf('tools/call').length + beta.seenOf('tools/call').length).toBe(before);
  });

  it('answers an unknown resource -32602 and an unknown method 404 -32601', async () => {
    const resource = await post(
      { jsonrpc: '2.0', id: 4, method: 'resources/read', params: { uri: 'nothing://x', _meta: envelope } },
      modern('resources/read', 'nothing://x'),
    );
    expect(await resource.json()).toMatchObject({ id: 4, error: { code: -32602 } });
    const unknown = await post({ jsonrpc: '2.0', id: 5, method: 'tools/explode', params: { _meta: envelope } }, modern('tools/explode'));
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ id: 5, error: { code: -32601 } });
  });

  it('adds a level remembered from logging/setLevel to 2025-11-25 requests only: a 2026-07-28 request keeps its own, or none', async () => {
    const legacy = { 'mcp-protocol-version': '2025-11-25' };
    const set = await post({ jsonrpc: '2.0', id: 40, method: 'logging/setLevel', params: { level: 'debug' } }, legacy);
    expect(await set.json()).toEqual({ jsonrpc: '2.0', id: 40, result: {} });
    const forwardedMeta = async (uri: string, headers: Record<string, string>, meta?: Record<string, unknown>) => {
      const res = await post({ jsonrpc: '2.0', id: 41, method: 'resources/read', params: { uri, ...(meta ? { _meta: meta } : {}) } }, headers);
      expect(res.status).toBe(200);
      const seen = alpha.seenOf('resources/read').find((r) => (r.body['params'] as { uri: string }).uri === uri);
      return (seen?.body['params'] as { _meta: Record<string, unknown> })._meta;
    };
    expect(await forwardedMeta('alpha://log-legacy', legacy)).toMatchObject({ [LOG_LEVEL]: 'debug' });
    expect(await forwardedMeta('alpha://log-modern', modern('resources/read', 'alpha://log-modern'), envelope)).not.toHaveProperty(LOG_LEVEL);
    expect(await forwardedMeta('alpha://log-own', modern('resources/read', 'alpha://log-own'), { ...envelope, [LOG_LEVEL]: 'error' })).toMatchObject({
      [LOG_LEVEL]: 'error',
    });
  });

  it('streams list changes on subscriptions/listen, tagged with the subscription, only of the kinds asked for', async () => {
    const res = await post(
      {
        jsonrpc: '2.0',
        id: 'sub-1',
        method: 'subscriptions/listen',
        params: { notifications: { toolsListChanged: true, resourceSubscriptions: ['x://y'] }, _meta: envelope },
      },
      modern('subscriptions/listen'),
    );
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    const stream = sseReader(res);
    await eventually('the acknowledgement', () => stream.messages.length >= 1);
    expect(stream.messages[0]).toEqual({
      jsonrpc: '2.0',
      method: 'notifications/subscriptions/acknowledged',
      params: { notifications: { toolsListChanged: true }, _meta: { [SUBSCRIPTION]: 'sub-1' } },
    });
    await beta.stop();
    // A call that cannot connect marks beta unavailable at once.
    await post({ jsonrpc: '2.0', id: 6, method: 'tools/call', params: { name: 'beta_get', arguments: {} } }, { 'mcp-protocol-version': '2025-11-25' });
    await eventually('tools/list_changed after beta went down', () => stream.messages.length >= 2);
    expect(stream.messages[1]).toEqual({ jsonrpc: '2.0', method: 'notifications/tools/list_changed', params: { _meta: { [SUBSCRIPTION]: 'sub-1' } } });
    // Prompts and resources changed too, but were not asked for.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(stream.messages.map((m) => m['method'])).toEqual(['notifications/subscriptions/acknowledged', 'notifications/tools/list_changed']);
    await beta.start();
    await eventually('beta back', () => router.router.upstreams[1]?.available === true);
    await router.http.close(1000);
    await eventually('the stream to end', () => stream.ended());
    expect(stream.messages.at(-1)).toEqual({
      jsonrpc: '2.0',
      id: 'sub-1',
      result: { resultType: 'complete', _meta: { [SUBSCRIPTION]: 'sub-1', 'io.modelcontextprotocol/serverInfo': { name: 'mcpfed-router', version: 'test' } } },
    });
  });
});
