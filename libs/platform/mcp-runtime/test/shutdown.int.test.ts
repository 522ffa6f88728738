import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '@mcpfed/testing';
import type { TestDatabase } from '@mcpfed/testing';
import { widgetMigrations } from './fixtures/widget-domain.ts';
import type { WidgetDb } from './fixtures/widget-domain.ts';
import { startIssuer } from './fixtures/widget-http.ts';
import { WIDGET_MAIN, startWidgetProcess, widgetEnv } from './fixtures/widget-process.ts';
import type { WidgetProcess } from './fixtures/widget-process.ts';
import type { RunningIssuer } from './fixtures/widget-http.ts';

const MAIN = WIDGET_MAIN;
let tdb: TestDatabase<WidgetDb>;
let issuer: RunningIssuer;

const env = (extra: Record<string, string> = {}): Record<string, string> => widgetEnv(tdb.url, issuer.url, extra);
const start = (extra: Record<string, string> = {}): Promise<WidgetProcess> => startWidgetProcess(env(extra));

beforeAll(async () => {
  tdb = await createTestDatabase<WidgetDb>({ name: 'mcp_runtime_proc', migrations: widgetMigrations });
  issuer = await startIssuer();
});

afterAll(async () => {
  await issuer?.stop();
  await tdb?.drop();
});

describe('a server process', () => {
  it('finishes every in-flight call on SIGTERM, writes their audit records, and exits 0', async () => {
    const server = await start();
    const token = await issuer.token(['customer:read', 'customer:write']);
    const call = (i: number) =>
      fetch(`${server.url}/mcp`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', authorization: `Bearer ${token}` },
        body: JSON.stringify({ jsonrpc: '2.0', id: i, method: 'tools/call', params: { name: 'widget_slow', arguments: { ms: 250 } } }),
      }).then(async (r) => ({ status: r.status, body: (await r.json()) as { result?: { isError?: boolean } } }));
    const writes = Array.from({ length: 5 }, (_, i) =>
      fetch(`${server.url}/mcp`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', authorization: `Bearer ${token}` },
        body: JSON.stringify({ jsonrpc: '2.0', id: 100 + i, method: 'tools/call', params: { name: 'widget_create', arguments: { name: `sig${i}` } } }),
      }).then((r) => r.status),
    );
    const inflight = Array.from({ length: 20 }, (_, i) => call(i));
    await new Promise((r) => setTimeout(r, 80));
    server.child.kill('SIGTERM');
    const results = await Promise.all(inflight);
    expect(results.map((r) => r.status)).toEqual(Array(20).fill(200));
    expect(results.filter((r) => !r.body.result || r.body.result.isError).map((r) => r.body)).toEqual([]);
    expect(await Promise.all(writes)).toEqual(Array(5).fill(200));
    expect(await server.exited).toBe(0);
    expect(server.logs()).toContain('shutdown complete');
    const { rows } = await sql<{ tool: string; n: number }>`
      SELECT tool, count(*)::int AS n FROM mcp_audit_log GROUP BY tool ORDER BY tool`.execute(tdb.db);
    expect(rows).toEqual([
      { tool: 'widget_create', n: 5 },
      { tool: 'widget_slow', n: 20 },
    ]);
    expect((await tdb.db.selectFrom('widgets').select('name').orderBy('name').execute()).map((r) => r.name)).toEqual(['sig0', 'sig1', 'sig2', 'sig3', 'sig4']);
  });

  it('records into and serves the metrics the app created before runMcpServer', async () => {
    const server = await start({ WIDGET_APP_METRICS: '1' });
    try {
      const token = await issuer.token(['customer:read']);
      const call = await fetch(`${server.url}/mcp`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', authorization: `Bearer ${token}` },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'widget_slow', arguments: { ms: 1 } } }),
      });
      expect(call.status).toBe(200);
      const metrics = await (await fetch(`${server.url}/metrics`)).text();
      expect(metrics).toContain('widget_app_gauge{kind="fixture",service="widget-server"} 7');
      expect(metrics).toMatch(/^mcp_tool_calls_total\{[^}]*tool="widget_slow"[^}]*\} 1$/m);
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
    }
  });

  it('serves stdio to the SDK StdioClientTransport as the local principal, without a token', async () => {
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [MAIN, '--stdio'],
      env: env({ STDIO_SCOPES: 'customer:read' }),
      stderr: 'ignore',
    });
    const client = new Client({ name: 'stdio-test', version: '0.0.0' });
    await client.connect(transport);
    expect((await client.listTools()).tools.map((t) => t.name).sort()).toEqual(['widget_crash', 'widget_get', 'widget_hang', 'widget_slow']);
    const result = await client.callTool({ name: 'widget_get', arguments: { id: 'wid_sig0' } });
    expect(result.structuredContent).toEqual({ widget: { id: 'wid_sig0', name: 'sig0', version: 1 } });
    const denied = await client.callTool({ name: 'widget_create', arguments: { name: 'nope' } });
    expect(denied).toMatchObject({ isError: true, structuredContent: { error: { code: 'FORBIDDEN' } } });
    await client.close();
  });
});

describe('a server process with wrong identity settings', () => {
  /** Runs the server and returns its exit code and the last log line it wrote. */
  async function refused(extra: Record<string, string>): Promise<{ code: number | null; line: string }> {
    const failed = await start(extra).then(
      async (server) => {
        server.child.kill('SIGKILL');
        await server.exited;
        return undefined;
      },
      (error: unknown) => String(error),
    );
    expect(failed, 'the server started although its identity settings are wrong').toBeDefined();
    const code = Number(/exited early \((\d+)\)/.exec(failed as string)?.[1]);
    const lines = (failed as string).match(/invalid configuration: [^\n]*/g) ?? [];
    expect(lines).toHaveLength(1);
    return { code, line: lines[0] as string };
  }

  it('stops at start with one line naming the setting (an issuer that never answers after 10 s of retries)', async () => {
    const [nowhere, wrong] = await Promise.all([
      refused({ AUTH_ISSUER: 'http://127.0.0.1:9' }),
      // The issuer answers, but its metadata names another issuer: the value must match exactly.
      refused({ AUTH_ISSUER: `${issuer.url}/` }),
    ]);
    expect(nowhere).toEqual({
      code: 78,
      line: 'invalid configuration: AUTH_ISSUER: http://127.0.0.1:9: http://127.0.0.1:9/.well-known/openid-configuration could not be reached',
    });
    expect(wrong.code).toBe(78);
    expect(wrong.line).toMatch(/^invalid configuration: AUTH_ISSUER: /);
  }, 60_000);
});
