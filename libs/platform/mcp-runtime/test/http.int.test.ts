import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '@mcpfed/testing';
import type { TestDatabase } from '@mcpfed/testing';
import { CATALOG_INSTRUCTIONS } from '../src/index.ts';
import type { HttpServerHandle, McpHost } from '../src/index.ts';
import { widgetMigrations } from './fixtures/widget-domain.ts';
import type { WidgetDb } from './fixtures/widget-domain.ts';
import { createWidgetHost } from './fixtures/widget-host.ts';
import { serveWithAuth, startIssuer } from './fixtures/widget-http.ts';
import type { RunningIssuer } from './fixtures/widget-http.ts';

let tdb: TestDatabase<WidgetDb>;
let host: McpHost<WidgetDb>;
let issuer: RunningIssuer;
let http: HttpServerHandle;
let token: string;

const call = (name: string, args: unknown, id: number | string = 1) => ({ jsonrpc: '2.0', id, method: 'tools/call', params: { name, arguments: args } });

async function post(body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${http.url}/mcp`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      'mcp-protocol-version': '2025-11-25',
      authorization: `Bearer ${token}`,
      ...headers,
    },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, json: text && res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : undefined };
}

beforeAll(async () => {
  tdb = await createTestDatabase<WidgetDb>({ name: 'mcp_runtime_http', migrations: widgetMigrations });
  const created = createWidgetHost(tdb.db);
  host = created.host;
  issuer = await startIssuer();
  http = await serveWithAuth(host, issuer, created.metrics);
  token = await issuer.token(['customer:read', 'customer:write']);
});

afterAll(async () => {
  await http?.close(1000);
  await host?.close();
  await issuer?.stop();
  await tdb?.drop();
});

describe('Streamable HTTP with the SDK client', () => {
  it('initializes, lists and calls tools with a bearer token', async () => {
    const client = new Client({ name: 'http-test', version: '0.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${http.url}/mcp`), { requestInit: { headers: { authorization: `Bearer ${token}` } } }));
    expect(client.getServerVersion()).toMatchObject({ name: 'widget-server' });
    expect(client.getInstructions()).toBe(`Widgets for tests. ${CATALOG_INSTRUCTIONS}`);
    expect((await client.listTools()).tools).toHaveLength(7);
    const created = await client.callTool({ name: 'widget_create', arguments: { name: 'via_http' } });
    expect(created.structuredContent).toEqual({ widget: { id: 'wid_via_http', name: 'via_http', version: 1 }, replayed: false });
    const seen: number[] = [];
    const slow = await client.callTool({ name: 'widget_slow', arguments: { ms: 40 } }, undefined, { onprogress: (p) => seen.push(p.progress) });
    expect(slow.isError).toBeFalsy();
    expect(seen).toEqual([0, 20]);
    await client.close();
  });

  it('keeps ids of different clients apart when they run concurrently', async () => {
    const bodies = Array.from({ length: 30 }, (_, i) => post(call('widget_get', { id: 'wid_via_http' }, 7)).then((r) => ({ i, r })));
    for (const { r } of await Promise.all(bodies)) {
      expect(r.status).toBe(200);
      expect(r.json).toMatchObject({ jsonrpc: '2.0', id: 7, result: { structuredContent: { widget: { id: 'wid_via_http' } } } });
    }
  });
});

describe('HTTP edges', () => {
  it('answers 401 with WWW-Authenticate pointing at the protected-resource metadata', async () => {
    const res = await fetch(`${http.url}/mcp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify(call('widget_get', { id: 'x' })),
    });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe(`Bearer resource_metadata="${http.url}/.well-known/oauth-protected-resource"`);
    const meta = await (await fetch(`${http.url}/.well-known/oauth-protected-resource`)).json();
    expect(meta).toMatchObject({ resource: `${http.url}/mcp`, authorization_servers: [issuer.url], bearer_methods_supported: ['header'] });
  });

  it('answers 401 invalid_token for an expired or foreign-audience token', async () => {
    const expired = await issuer.token(['customer:read'], { expiresAt: Math.floor(Date.now() / 1000) - 3600 });
    const r1 = await post(call('widget_get', { id: 'x' }), { authorization: `Bearer ${expired}` });
    expect(r1.status).toBe(401);
    expect(r1.headers.get('www-authenticate')).toContain('error="invalid_token"');
    const foreign = await issuer.token(['customer:read'], { audience: 'someone-else' });
    expect((await post(call('widget_get', { id: 'x' }), { authorization: `Bearer ${foreign}` })).status).toBe(401);
  });

  it('refuses a foreign Origin with 403 before anything else', async () => {
    const r = await post(call('widget_create', { name: 'evil' }), { origin: 'https://evil.example' });
    expect(r.status).toBe(403);
    expect(await tdb.db.selectFrom('widgets').select('id').where('name', '=', 'evil').execute()).toEqual([]);
    expect((await post(call('widget_get', { id: 'wid_via_http' }), { origin: 'http://localhost:6274' })).status).toBe(200);
  });

  it('gives malformed JSON-RPC structured errors, never a 500', async () => {
    const parse = await post('{"jsonrpc": "2.0", "id": 1, "method": ');
    expect(parse.status).toBe(400);
    expect(parse.json).toMatchObject({ jsonrpc: '2.0', id: null, error: { code: -32700 } });
    const invalid = await post({ jsonrpc: '1.0', id: 1, method: 'tools/list' });
    expect(invalid.json).toMatchObject({ error: { code: -32600 } });
    expect((await post({ jsonrpc: '2.0', id: 1, method: 5 })).json).toMatchObject({ error: { code: -32600 } });
    expect((await post([])).json).toMatchObject({ error: { code: -32600 } });
    const big = await post(Array.from({ length: 1000 }, (_, i) => ({ jsonrpc: '2.0', id: i, method: 'ping' })));
    expect(big.status).toBe(400);
    expect(big.json.error.message).toContain('at most 100');
    const unknownMethod = await post({ jsonrpc: '2.0', id: 3, method: 'tools/explode' });
    expect(unknownMethod.json).toEqual({ jsonrpc: '2.0', id: 3, error: { code: -32601, message: 'Method not found' } });
    const badParams = await post({ jsonrpc: '2.0', id: 4, method: 'tools/call', params: { arguments: {} } });
    expect(badParams.json).toMatchObject({ id: 4, error: { code: -32602 } });
  });

  it('refuses an oversized body with 413 and wrong headers with 406/415/400', async () => {
    const huge = await post(call('widget_create', { name: 'x'.repeat(5 * 1024 * 1024) }));
    expect(huge.status).toBe(413);
    expect((await post(call('widget_get', { id: 'x' }), { accept: 'application/json' })).status).toBe(406);
    expect((await post(call('widget_get', { id: 'x' }), { 'content-type': 'text/plain' })).status).toBe(415);
    expect((await post(call('widget_get', { id: 'x' }), { 'mcp-protocol-version': '1999-01-01' })).status).toBe(400);
    expect((await fetch(`${http.url}/mcp`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(405);
  });

  it('answers a batch with an array and notifications with 202', async () => {
    const batch = await post([call('widget_get', { id: 'wid_via_http' }, 'a'), { jsonrpc: '2.0', id: 'b', method: 'ping' }]);
    expect(batch.json.map((m: { id: string }) => m.id).sort()).toEqual(['a', 'b']);
    const note = await post({ jsonrpc: '2.0', method: 'notifications/initialized' });
    expect(note.status).toBe(202);
  });

  it('serves health, readiness and metrics', async () => {
    expect(await (await fetch(`${http.url}/healthz`)).json()).toEqual({ status: 'ok' });
    expect(await (await fetch(`${http.url}/readyz`)).json()).toEqual({ status: 'ready', checks: { db: 'ok' } });
    const metrics = await (await fetch(`${http.url}/metrics`)).text();
    expect(metrics).toContain('mcp_tool_calls_total');
    expect(metrics).toMatch(/mcp_http_requests_total\{[^}]*status="401"/);
  });
});

describe('graceful shutdown', () => {
  it('finishes every in-flight call, then refuses new connections', async () => {
    const inflight = Array.from({ length: 10 }, (_, i) => post(call('widget_slow', { ms: 200 }, i)));
    await new Promise((r) => setTimeout(r, 50));
    expect(http.inFlight).toBe(10);
    const closing = http.close(5000);
    const results = await Promise.all(inflight);
    await closing;
    expect(results.map((r) => r.status)).toEqual(Array(10).fill(200));
    expect(results.every((r) => r.json.result && !r.json.result.isError)).toBe(true);
    await expect(fetch(`${http.url}/healthz`)).rejects.toThrow();
    await host.flushAudit();
    const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM mcp_audit_log WHERE tool = 'widget_slow' AND outcome = 'ok'`.execute(tdb.db);
    expect(rows[0]?.n).toBeGreaterThanOrEqual(10);
  });
});
