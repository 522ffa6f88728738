import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { ToolListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { callTool, expectToolError, expectToolOk } from '@mcpfed/testing';
import { startFakeUpstream } from './fixtures/fake-upstream.ts';
import type { FakeUpstream } from './fixtures/fake-upstream.ts';
import { connectClient, eventually, startAlphaUpstream, startTestIssuer, startTestRouter } from './fixtures/test-federation.ts';
import type { TestIssuer, TestRouter } from './fixtures/test-federation.ts';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const CALLER_TRACEPARENT = `00-${TRACE_ID}-00f067aa0ba902b7-01`;

let issuer: TestIssuer;
let alpha: FakeUpstream;
let beta: FakeUpstream;
let router: TestRouter;
const clients: Client[] = [];

async function client(scopes: readonly string[], url = router.url): Promise<Client> {
  const c = await connectClient(url, await issuer.user(scopes));
  clients.push(c);
  return c;
}

async function post(body: unknown, init: { token?: string; headers?: Record<string, string>; raw?: string; path?: string } = {}) {
  const token = init.token ?? (await issuer.user(['alpha:read', 'beta:read']));
  return fetch(`${router.http.url}${init.path ?? '/mcp'}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', authorization: `Bearer ${token}`, ...init.headers },
    body: init.raw ?? JSON.stringify(body),
  });
}

beforeAll(async () => {
  issuer = await startTestIssuer();
  alpha = await startAlphaUpstream(issuer, [
    { name: 'alpha_slow', scopes: ['alpha:read'], delayMs: 120 },
    { name: 'shared_ping', scopes: ['alpha:read'] },
  ]);
  beta = await startFakeUpstream({
    name: 'beta',
    verifier: issuer.verifier,
    tools: [
      { name: 'beta_get', scopes: ['beta:read'] },
      { name: 'shared_ping', scopes: ['beta:read'] },
    ],
  });
  router = await startTestRouter({
    issuer,
    upstreams: [
      { name: 'alpha', url: alpha.url, tool_timeout_ms: { alpha_slow: 5000 } },
      { name: 'beta', url: beta.url },
    ],
  });
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
});

afterAll(async () => {
  await router?.close();
  await alpha?.stop();
  await beta?.stop();
  await issuer?.close();
});

describe('catalog', () => {
  it('merges every upstream and shows a caller only the tools its scopes allow', async () => {
    const all = await client(['alpha:read', 'alpha:write', 'beta:read']);
    const names = (await all.listTools()).tools.map((t) => t.name).sort();
    expect(names).toEqual(['alpha_get', 'alpha_slow', 'alpha_write', 'beta_get', 'shared_ping']);

    const reader = await client(['beta:read']);
    const tools = (await reader.listTools()).tools;
    expect(tools.map((t) => t.name)).toEqual(['beta_get']);
    expect(tools[0]?._meta).toEqual({ 'io.mcpfed/scopes': ['beta:read'], 'io.mcpfed/upstream': 'beta' });
  });

  it('reports a name two upstreams offer: the first listed serves it, the other copy is hidden from /mcp only', async () => {
    const status = (await (await fetch(`${router.http.url}/status`)).json()) as {
      collisions: unknown[];
      status: string;
      upstreams: Array<{ name: string; tools: number }>;
    };
    expect(status.collisions).toEqual([{ kind: 'tool', name: 'shared_ping', served_by: 'alpha', hidden: ['beta'] }]);
    expect(status.status).toBe('ok');
    expect(status.upstreams.map((u) => [u.name, u.tools])).toEqual([
      ['alpha', 4],
      ['beta', 2],
    ]);
    const merged = await client(['alpha:read', 'beta:read']);
    expect(await expectToolOk(merged, 'shared_ping', {})).toMatchObject({ upstream: 'alpha' });
    const betaOnly = await client(['alpha:read', 'beta:read'], `${router.url}/beta`);
    expect((await betaOnly.listTools()).tools.map((t) => t.name)).toEqual(['beta_get', 'shared_ping']);
    expect(await expectToolOk(betaOnly, 'shared_ping', {})).toMatchObject({ upstream: 'beta' });
  });

  it('answers 404 for /mcp/<name> of an upstream that does not exist', async () => {
    const response = await post({ jsonrpc: '2.0', id: 1, method: 'tools/list' }, { path: '/mcp/gamma' });
    expect(response.status).toBe(404);
  });

  it('routes resources by template and exact URI, prompts by name, and lists templates and prompts of all', async () => {
    const c = await client(['alpha:read', 'beta:read']);
    const read = await c.readResource({ uri: 'beta://b-7' });
    expect(JSON.parse((read.contents[0] as { text: string }).text)).toEqual({ upstream: 'beta', id: 'b-7' });
    expect(((await c.readResource({ uri: 'schema://alpha' })).contents[0] as { text: string }).text).toBe('schema of alpha');
    const prompt = await c.getPrompt({ name: 'beta_brief', arguments: { id: 'x1' } });
    expect(prompt.messages[0]?.content).toEqual({ type: 'text', text: 'brief beta x1' });
    expect((await c.listResourceTemplates()).resourceTemplates.map((t) => t.uriTemplate)).toEqual(['alpha://{id}', 'beta://{id}']);
    expect((await c.listPrompts()).prompts.map((p) => p.name)).toEqual(['alpha_brief', 'beta_brief']);
    expect((await c.listResources()).resources.map((r) => r.uri)).toEqual(['schema://alpha', 'schema://beta']);
    await expect(c.readResource({ uri: 'gamma://1' })).rejects.toMatchObject({ code: -32002 });
  });
});

describe('forwarding', () => {
  it("passes the caller's own token and the trace context (header and _meta) to the upstream", async () => {
    const token = await issuer.user(['beta:read'], { subject: 'bob' });
    const before = beta.seenOf('tools/call').length;
    const response = await post(
      { jsonrpc: '2.0', id: 'call-1', method: 'tools/call', params: { name: 'beta_get', arguments: { value: 'v' } } },
      { token, headers: { traceparent: CALLER_TRACEPARENT } },
    );
    expect(response.status).toBe(200);
    const body = (await response.json()) as { id: string; result: { structuredContent: Record<string, unknown> } };
    expect(body.id).toBe('call-1');
    expect(body.result.structuredContent).toEqual({ upstream: 'beta', tool: 'beta_get', value: 'v', subject: 'bob', actors: [] });
    const seen = beta.seenOf('tools/call').slice(before);
    expect(seen).toHaveLength(1);
    expect(seen[0]?.authorization).toBe(`Bearer ${token}`);
    const forwarded = seen[0]?.traceparent ?? '';
    expect(forwarded).toMatch(new RegExp(`^00-${TRACE_ID}-[0-9a-f]{16}-01$`));
    expect(forwarded).not.toBe(CALLER_TRACEPARENT);
    expect((seen[0]?.body['params'] as { _meta: { traceparent: string } })._meta.traceparent).toBe(forwarded);
  });

  it('relays the progress notifications of a long call to the caller', async () => {
    const c = await client(['alpha:read']);
    const progress: number[] = [];
    const result = await c.callTool({ name: 'alpha_slow', arguments: {} }, undefined, { onprogress: (p) => progress.push(p.progress) });
    expect(result.structuredContent).toMatchObject({ tool: 'alpha_slow' });
    expect(progress.length).toBeGreaterThanOrEqual(3);
    expect(progress[0]).toBe(0);
  });

  it('refuses a tool the caller has no scope for without forwarding it', async () => {
    const c = await client(['alpha:read']);
    const before = alpha.seenOf('tools/call').length;
    const error = await expectToolError(c, 'alpha_write', {});
    expect(error).toEqual({
      code: 'FORBIDDEN',
      message: 'alpha_write needs the scope(s) alpha:write, which this token does not grant. Ask for a token with them; do not retry as is.',
      retryable: false,
      details: { required: ['alpha:write'], missing: ['alpha:write'] },
    });
    expect(alpha.seenOf('tools/call').length).toBe(before);
  });

  it('answers a batch as one array, mixing its own answers and forwarded ones', async () => {
    const response = await post([
      { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'alpha_get', arguments: { value: 'a' } } },
      { jsonrpc: '2.0', id: 2, method: 'ping' },
      { jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: 'nope_tool' } },
    ]);
    const body = (await response.json()) as Array<Record<string, unknown>>;
    expect(body.map((m) => m['id'])).toEqual([1, 2, 3]);
    expect((body[0]?.['result'] as { structuredContent: unknown }).structuredContent).toMatchObject({ upstream: 'alpha', value: 'a' });
    expect(body[1]?.['result']).toEqual({});
    expect((body[2]?.['error'] as { code: number }).code).toBe(-32602);
  });
});

describe('bad requests never reach an upstream', () => {
  const calls = () => alpha.seen.length + beta.seen.length;

  it.each([
    ['unknown tool', async () => post({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'gamma_get', arguments: {} } }), 200, -32602],
    ['malformed JSON-RPC', async () => post({ jsonrpc: '1.0', id: 1, method: 'tools/call' }), 400, -32600],
    ['invalid JSON', async () => post(undefined, { raw: '{"jsonrpc":"2.0",' }), 400, -32700],
    [
      'a batch of 1,000 messages',
      async () => post(Array.from({ length: 1000 }, (_, i) => ({ jsonrpc: '2.0', id: i, method: 'tools/call', params: { name: 'alpha_get' } }))),
      400,
      -32600,
    ],
    [
      'a 10 MB body',
      async () =>
        post(undefined, {
          raw: JSON.stringify({
            jsonrpc: '2.0',
            id: 1,
            method: 'tools/call',
            params: { name: 'alpha_get', arguments: { value: 'x'.repeat(10 * 1024 * 1024) } },
          }),
        }),
      413,
      -32600,
    ],
    [
      'a foreign Origin',
      async () => post({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'alpha_get' } }, { headers: { origin: 'https://evil.example' } }),
      403,
      -32600,
    ],
    [
      'an expired token',
      async () =>
        post(
          { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'alpha_get' } },
          { token: await issuer.user(['alpha:read'], { expiresAt: Math.floor(Date.now() / 1000) - 600 }) },
        ),
      401,
      -32600,
    ],
    [
      'no token',
      async () => post({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'alpha_get' } }, { headers: { authorization: '' } }),
      401,
      -32600,
    ],
  ])('%s', async (_what, send, status, code) => {
    const before = calls();
    const response = await send();
    expect(response.status).toBe(status);
    const body = (await response.json()) as { error: { code: number; message: string } };
    expect(body.error.code).toBe(code);
    if (status === 401) expect(response.headers.get('www-authenticate')).toContain('resource_metadata=');
    expect(calls()).toBe(before);
  });
});

describe('isolation', () => {
  it('answers UPSTREAM_UNAVAILABLE at once for a stopped upstream, keeps the others working, and heals without a restart', async () => {
    const c = await client(['alpha:read', 'beta:read']);
    let changes = 0;
    c.setNotificationHandler(ToolListChangedNotificationSchema, () => void changes++);
    await eventually('the notification stream to open', () => router.http.streams > 0);
    await beta.stop();
    const first = await expectToolError(c, 'beta_get', {});
    expect(first).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', retryable: true, details: { upstream: 'beta' } });
    expect(typeof first.details?.['retry_after_ms']).toBe('number');
    const seenWhileDown = beta.seen.length;
    const second = await expectToolError(c, 'beta_get', {});
    expect(second.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(beta.seen.length).toBe(seenWhileDown);
    expect(await expectToolOk(c, 'alpha_get', { value: 'still' })).toMatchObject({ upstream: 'alpha', value: 'still' });
    await eventually('list_changed after beta went down', () => changes >= 1);
    const listed = (await c.listTools()).tools.find((t) => t.name === 'beta_get');
    expect(listed?._meta?.['io.mcpfed/available']).toBe(false);
    const down = (await (await fetch(`${router.http.url}/status`)).json()) as { status: string };
    expect(down.status).toBe('degraded');

    await beta.start();
    await eventually('beta to be available again', () => router.router.upstreams[1]?.available === true);
    expect(await expectToolOk(c, 'beta_get', { value: 'back' })).toMatchObject({ upstream: 'beta', value: 'back' });
    await eventually('list_changed after beta came back', () => changes >= 2);
    expect((await c.listTools()).tools.find((t) => t.name === 'beta_get')?._meta?.['io.mcpfed/available']).toBeUndefined();
  });

  it('does not hold callers that go away against the upstream: the breaker stays closed', async () => {
    const token = await issuer.user(['alpha:read']);
    for (let i = 0; i < 6; i++) {
      const calls = alpha.seenOf('tools/call').length;
      const controller = new AbortController();
      const pending = fetch(`${router.url}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', authorization: `Bearer ${token}` },
        body: JSON.stringify({ jsonrpc: '2.0', id: i, method: 'tools/call', params: { name: 'alpha_slow', arguments: {} } }),
        signal: controller.signal,
      }).catch(() => undefined);
      await eventually('the call to reach alpha', () => alpha.seenOf('tools/call').length > calls);
      controller.abort();
      await pending;
    }
    await eventually('the aborted calls to settle', () => router.router.upstreams[0]?.inFlight === 0);
    expect(router.router.upstreams[0]?.breakerState).toBe('closed');
    expect(router.router.upstreams[0]?.available).toBe(true);
  });

  it('exposes per-upstream latency, errors and breaker state in /metrics', async () => {
    const text = await (await fetch(`${router.http.url}/metrics`)).text();
    expect(text).toMatch(/router_upstream_request_duration_seconds_count\{[^}]*upstream="alpha"[^}]*method="tools\/call"[^}]*outcome="ok"[^}]*\} [1-9]/);
    expect(text).toMatch(/router_upstream_errors_total\{[^}]*upstream="beta"[^}]*code="UPSTREAM_UNAVAILABLE"[^}]*\} [1-9]/);
    expect(text).toMatch(/router_upstream_breaker_state\{[^}]*upstream="alpha"[^}]*\} 0/);
    expect(text).toMatch(/router_upstream_up\{[^}]*upstream="beta"[^}]*\} 1/);
  });

  it('serves /healthz and /readyz', async () => {
    expect((await fetch(`${router.http.url}/healthz`)).status).toBe(200);
    const ready = await fetch(`${router.http.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', checks: { alpha: 'ok', beta: 'ok' } });
  });
});

describe('a router started while an upstream is down', () => {
  it('starts degraded and heals when the upstream comes up', async () => {
    const late = await startFakeUpstream({ name: 'late', verifier: issuer.verifier, tools: [{ name: 'late_get', scopes: [] }] });
    const port = late.port;
    await late.stop();
    const degraded = await startTestRouter({
      issuer,
      upstreams: [
        { name: 'alpha', url: alpha.url },
        { name: 'late', url: `http://127.0.0.1:${port}/mcp` },
      ],
    });
    try {
      const status = (await (await fetch(`${degraded.http.url}/status`)).json()) as { status: string; upstreams: Array<{ name: string; health: string }> };
      expect(status.status).toBe('degraded');
      expect(status.upstreams.map((u) => [u.name, u.health])).toEqual([
        ['alpha', 'up'],
        ['late', 'down'],
      ]);
      const c = await connectClient(degraded.url, await issuer.user(['alpha:read']));
      clients.push(c);
      expect((await c.listTools()).tools.map((t) => t.name)).toEqual(['alpha_get', 'alpha_slow', 'shared_ping']);
      await late.start();
      await eventually('late to be discovered', () => degraded.router.upstreams[1]?.available === true);
      expect((await c.listTools()).tools.map((t) => t.name)).toContain('late_get');
      expect(await expectToolOk(c, 'late_get', {})).toMatchObject({ upstream: 'late' });
    } finally {
      await degraded.close();
      await late.stop();
    }
  });
});

describe('circuit breaker and limits', () => {
  it("times out a tool that overruns without opening the breaker for the upstream's other tools, and probes the upstream", async () => {
    const slow = await startFakeUpstream({
      name: 'slow',
      verifier: issuer.verifier,
      tools: [
        { name: 'slow_get', scopes: [], delayMs: 2000 },
        { name: 'slow_ping', scopes: [] },
      ],
    });
    const guarded = await startTestRouter({
      issuer,
      upstreams: [{ name: 'slow', url: slow.url, timeout_ms: 500 }],
      breakerFailures: 2,
      breakerHalfOpenMs: 60_000,
    });
    try {
      const c = await connectClient(guarded.url, await issuer.user([]));
      clients.push(c);
      const discoveries = slow.seenOf('initialize').length;
      expect(await expectToolError(c, 'slow_get', {})).toEqual({
        code: 'TIMEOUT',
        message: 'upstream "slow" did not answer within 500 ms',
        retryable: true,
        details: { upstream: 'slow', timeout_ms: 500 },
      });
      await eventually('a probe of the upstream after the timeout', () => slow.seenOf('initialize').length > discoveries);
      const more = await Promise.all([0, 1, 2].map(() => expectToolError(c, 'slow_get', {})));
      expect(more.map((e) => e.code)).toEqual(['TIMEOUT', 'TIMEOUT', 'TIMEOUT']);
      expect(await expectToolOk(c, 'slow_ping', {})).toMatchObject({ tool: 'slow_ping' });
      const status = (await (await fetch(`${guarded.http.url}/status`)).json()) as { upstreams: Array<{ breaker: string; available: boolean }> };
      expect(status.upstreams[0]).toMatchObject({ breaker: 'closed', available: true });
    } finally {
      await guarded.close();
      await slow.stop();
    }
  });

  it('marks an upstream that stops answering altogether unavailable once its probe fails, and heals it', async () => {
    const wedged = await startFakeUpstream({ name: 'wedged', verifier: issuer.verifier, tools: [{ name: 'wedged_get', scopes: [] }] });
    const guarded = await startTestRouter({
      issuer,
      upstreams: [{ name: 'wedged', url: wedged.url, timeout_ms: 1000 }],
      discoveryTimeoutMs: 1000,
      probeIntervalMs: 100,
    });
    try {
      const c = await connectClient(guarded.url, await issuer.user([]));
      clients.push(c);
      await eventually('the upstream to be discovered', () => guarded.router.upstreams[0]?.available === true);
      wedged.mode = 'hang';
      expect((await expectToolError(c, 'wedged_get', {})).code).toBe('TIMEOUT');
      await eventually('the wedged upstream to be marked unavailable', () => guarded.router.upstreams[0]?.available === false);
      const calls = wedged.seenOf('tools/call').length;
      expect(await expectToolError(c, 'wedged_get', {})).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', retryable: true, details: { upstream: 'wedged' } });
      expect(wedged.seenOf('tools/call').length).toBe(calls);
      wedged.mode = 'normal';
      await eventually('the upstream to heal', () => guarded.router.upstreams[0]?.available === true);
      expect(await expectToolOk(c, 'wedged_get', {})).toMatchObject({ tool: 'wedged_get' });
    } finally {
      await guarded.close();
      await wedged.stop();
    }
  });

  it('opens the breaker after repeated 5xx answers and then fails fast', async () => {
    const failing = await startFakeUpstream({ name: 'failing', verifier: issuer.verifier, tools: [{ name: 'failing_get', scopes: [] }] });
    const guarded = await startTestRouter({ issuer, upstreams: [{ name: 'failing', url: failing.url }], breakerFailures: 2, breakerHalfOpenMs: 60_000 });
    try {
      const c = await connectClient(guarded.url, await issuer.user([]));
      clients.push(c);
      failing.mode = 'fail';
      for (let i = 0; i < 2; i++)
        expect(await expectToolError(c, 'failing_get', {})).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', message: 'upstream "failing" answered HTTP 500' });
      const calls = failing.seenOf('tools/call').length;
      const open = await expectToolError(c, 'failing_get', {});
      expect(open).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', retryable: true, details: { upstream: 'failing' } });
      expect(open.details?.['retry_after_ms']).toBeGreaterThan(0);
      expect(failing.seenOf('tools/call').length).toBe(calls);
      expect(guarded.router.upstreams[0]?.breakerState).toBe('open');
    } finally {
      await guarded.close();
      await failing.stop();
    }
  });

  it("does not count an upstream's 4xx refusals or a 202 against it: the breaker stays closed, while as many 5xx open it", async () => {
    const picky = await startFakeUpstream({ name: 'picky', verifier: issuer.verifier, tools: [{ name: 'picky_get', scopes: [] }] });
    const guarded = await startTestRouter({ issuer, upstreams: [{ name: 'picky', url: picky.url }], breakerFailures: 2, breakerHalfOpenMs: 60_000 });
    try {
      const c = await connectClient(guarded.url, await issuer.user([]));
      clients.push(c);
      picky.mode = 'refuse';
      const refusals: Array<[number, string]> = [
        [400, 'VALIDATION_FAILED'],
        [404, 'NOT_FOUND'],
        [400, 'VALIDATION_FAILED'],
        [404, 'NOT_FOUND'],
        [409, 'CONFLICT'],
        [422, 'VALIDATION_FAILED'],
        [401, 'UNAUTHENTICATED'],
        [403, 'FORBIDDEN'],
        [429, 'RATE_LIMITED'],
      ];
      for (const [status, code] of refusals) {
        picky.refuseStatus = status;
        expect(await expectToolError(c, 'picky_get', {})).toMatchObject({ code, details: { upstream: 'picky', status } });
      }
      picky.mode = 'accept';
      for (let i = 0; i < 3; i++) expect((await expectToolError(c, 'picky_get', {})).code).toBe('INTERNAL');
      expect(picky.seenOf('tools/call')).toHaveLength(refusals.length + 3);
      expect(guarded.router.upstreams[0]).toMatchObject({ available: true, breakerState: 'closed' });
      picky.mode = 'normal';
      expect(await expectToolOk(c, 'picky_get', {})).toMatchObject({ tool: 'picky_get' });
      picky.mode = 'fail';
      for (let i = 0; i < 2; i++)
        expect(await expectToolError(c, 'picky_get', {})).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', details: { upstream: 'picky', status: 500 } });
      expect(guarded.router.upstreams[0]?.breakerState).toBe('open');
    } finally {
      await guarded.close();
      await picky.stop();
    }
  });

  it('refuses a call over the concurrency limit at once', async () => {
    const busy = await startFakeUpstream({ name: 'busy', verifier: issuer.verifier, tools: [{ name: 'busy_get', scopes: [], delayMs: 1500 }] });
    const limited = await startTestRouter({ issuer, upstreams: [{ name: 'busy', url: busy.url, concurrency: 1 }] });
    try {
      const c = await connectClient(limited.url, await issuer.user([]));
      clients.push(c);
      const first = callTool(c, 'busy_get', {});
      await eventually('the first call to reach the upstream', () => busy.seenOf('tools/call').length === 1);
      const second = await expectToolError(c, 'busy_get', {});
      expect(second).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', message: 'upstream "busy" is busy: concurrency limit reached', retryable: true });
      expect((await first).isError).toBeUndefined();
      expect(busy.seenOf('tools/call')).toHaveLength(1);
    } finally {
      await limited.close();
      await busy.stop();
    }
  });
});
