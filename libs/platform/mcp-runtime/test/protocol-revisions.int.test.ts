import { PassThrough } from 'node:stream';
import { Client as ModernClient, StreamableHTTPClientTransport as ModernHttpTransport } from '@modelcontextprotocol/client';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, idempotencyKey, testPrincipal } from '@mcpfed/testing';
import type { TestDatabase } from '@mcpfed/testing';
import { StdioLineTransport } from '../src/index.ts';
import type { HttpServerHandle, McpHost } from '../src/index.ts';
import { widgetMigrations } from './fixtures/widget-domain.ts';
import type { WidgetDb } from './fixtures/widget-domain.ts';
import { createWidgetHost } from './fixtures/widget-host.ts';
import { serveWithAuth, startIssuer } from './fixtures/widget-http.ts';
import type { RunningIssuer } from './fixtures/widget-http.ts';

const MODERN = '2026-07-28';
const META_VERSION = 'io.modelcontextprotocol/protocolVersion';
const META_CAPS = 'io.modelcontextprotocol/clientCapabilities';
const envelope = { [META_VERSION]: MODERN, [META_CAPS]: {}, 'io.modelcontextprotocol/clientInfo': { name: 'raw', version: '0' } };

let tdb: TestDatabase<WidgetDb>;
let host: McpHost<WidgetDb>;
let issuer: RunningIssuer;
let http: HttpServerHandle;
let token: string;
let readOnlyToken: string;

async function post(body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${http.url}/mcp`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', authorization: `Bearer ${token}`, ...headers },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, json: res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : undefined };
}

const modernHeaders = (method: string, name?: string) => ({
  'mcp-protocol-version': MODERN,
  'mcp-method': method,
  ...(name === undefined ? {} : { 'mcp-name': name }),
});

async function modernClient(bearer: string): Promise<ModernClient> {
  const client = new ModernClient({ name: 'revision-test', version: '0.0.0' }, { versionNegotiation: { mode: { pin: MODERN } } });
  await client.connect(new ModernHttpTransport(new URL(`${http.url}/mcp`), { requestInit: { headers: { authorization: `Bearer ${bearer}` } } }));
  return client;
}

beforeAll(async () => {
  tdb = await createTestDatabase<WidgetDb>({ name: 'mcp_runtime_revisions', migrations: widgetMigrations });
  const created = createWidgetHost(tdb.db);
  host = created.host;
  issuer = await startIssuer();
  http = await serveWithAuth(host, issuer, created.metrics);
  token = await issuer.token(['customer:read', 'customer:write']);
  readOnlyToken = await issuer.token(['customer:read']);
});

afterAll(async () => {
  await http?.close(1000);
  await host?.close();
  await issuer?.stop();
  await tdb?.drop();
});

describe('2025-11-25 and 2026-07-28 on one URL', () => {
  it('serves the SDK v2 client on 2026-07-28: discover, lists, calls, resources, prompts, progress', async () => {
    const client = await modernClient(token);
    expect(client.getProtocolEra()).toBe('modern');
    expect(client.getServerVersion()).toMatchObject({ name: 'widget-server' });
    const tools = (await client.listTools()).tools.map((t) => t.name);
    expect(tools).toEqual((await client.listTools(undefined, { cache: 'bypass' } as never)).tools.map((t) => t.name));
    expect(tools).toContain('widget_create');
    const key = idempotencyKey();
    const created = await client.callTool({ name: 'widget_create', arguments: { name: 'modern_one', idempotency_key: key } });
    expect(created.structuredContent).toEqual({ widget: { id: 'wid_modern_one', name: 'modern_one', version: 1 }, replayed: false });
    const replay = await client.callTool({ name: 'widget_create', arguments: { name: 'modern_one', idempotency_key: key } });
    expect(replay.structuredContent).toEqual({ widget: { id: 'wid_modern_one', name: 'modern_one', version: 1 }, replayed: true });
    const read = await client.callTool({ name: 'widget_get', arguments: { id: 'wid_modern_one' } });
    expect(read.structuredContent).toEqual({ widget: { id: 'wid_modern_one', name: 'modern_one', version: 1 } });
    const missing = await client.callTool({ name: 'widget_get', arguments: { id: 'wid_nope' } });
    expect(missing.isError).toBe(true);
    expect((missing.structuredContent as { error: { code: string } }).error.code).toBe('NOT_FOUND');
    const resource = await client.readResource({ uri: 'widget://wid_modern_one' });
    expect(JSON.parse((resource.contents[0] as { text: string }).text)).toMatchObject({ id: 'wid_modern_one' });
    const prompt = await client.getPrompt({ name: 'widget_brief', arguments: { widget_id: 'wid_modern_one' } });
    expect(prompt.messages[0]?.content).toEqual({ type: 'text', text: 'Summarise widget modern_one (version 1).' });
    const seen: number[] = [];
    const slow = await client.callTool({ name: 'widget_slow', arguments: { ms: 40 } }, {
      onprogress: (p: { progress: number }) => seen.push(p.progress),
    } as never);
    expect(slow.isError).toBeFalsy();
    expect(seen).toEqual([0, 20]);
    await client.close();
  });

  it('serves the SDK v1 client on 2025-11-25 at the same URL, with the same results', async () => {
    const client = new Client({ name: 'legacy', version: '0.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${http.url}/mcp`), { requestInit: { headers: { authorization: `Bearer ${token}` } } }));
    const read = await client.callTool({ name: 'widget_get', arguments: { id: 'wid_modern_one' } });
    expect(read.structuredContent).toEqual({ widget: { id: 'wid_modern_one', name: 'modern_one', version: 1 } });
    await expect(client.readResource({ uri: 'nothing://here' })).rejects.toMatchObject({ code: -32002 });
    await client.close();
  });

  it('answers 2026-07-28 lists with resultType, the server identity and private cache hints', async () => {
    const r = await post({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: { _meta: envelope } }, modernHeaders('tools/list'));
    expect(r.status).toBe(200);
    expect(r.json.result).toMatchObject({
      resultType: 'complete',
      ttlMs: 60_000,
      cacheScope: 'private',
      _meta: { 'io.modelcontextprotocol/serverInfo': { name: 'widget-server' } },
    });
    const names = r.json.result.tools.map((t: { name: string }) => t.name);
    const again = await post({ jsonrpc: '2.0', id: 2, method: 'tools/list', params: { _meta: envelope } }, modernHeaders('tools/list'));
    expect(again.json.result.tools.map((t: { name: string }) => t.name)).toEqual(names);
    const discover = await post({ jsonrpc: '2.0', id: 3, method: 'server/discover', params: { _meta: envelope } }, modernHeaders('server/discover'));
    expect(discover.json.result).toMatchObject({
      resultType: 'complete',
      cacheScope: 'public',
      supportedVersions: expect.arrayContaining([MODERN, '2025-11-25']),
      instructions: expect.stringContaining('Widgets for tests.'),
    });
    expect(discover.json.result.capabilities).toMatchObject({ tools: {} });
    const legacy = await post({ jsonrpc: '2.0', id: 4, method: 'tools/list' }, { 'mcp-protocol-version': '2025-11-25' });
    expect(legacy.json.result.resultType).toBeUndefined();
    expect(legacy.json.result.ttlMs).toBeUndefined();
  });

  it('gives each revision its own resource-not-found code', async () => {
    const modern = await post(
      { jsonrpc: '2.0', id: 5, method: 'resources/read', params: { uri: 'nothing://here', _meta: envelope } },
      modernHeaders('resources/read', 'nothing://here'),
    );
    expect(modern.json).toMatchObject({ id: 5, error: { code: -32602 } });
    const legacy = await post({ jsonrpc: '2.0', id: 6, method: 'resources/read', params: { uri: 'nothing://here' } }, { 'mcp-protocol-version': '2025-11-25' });
    expect(legacy.json).toMatchObject({ id: 6, error: { code: -32002 } });
  });

  it('refuses 2026-07-28 requests whose headers disagree with the body, before anything runs', async () => {
    const body = (name: string) => ({ jsonrpc: '2.0', id: 7, method: 'tools/call', params: { name, arguments: { name: 'hdr_check' }, _meta: envelope } });
    const noName = await post(body('widget_create'), modernHeaders('tools/call'));
    expect(noName).toMatchObject({ status: 400, json: { id: 7, error: { code: -32020 } } });
    const otherName = await post(body('widget_create'), modernHeaders('tools/call', 'widget_get'));
    expect(otherName).toMatchObject({ status: 400, json: { error: { code: -32020 } } });
    const otherMethod = await post(body('widget_create'), modernHeaders('tools/list', 'widget_create'));
    expect(otherMethod).toMatchObject({ status: 400, json: { error: { code: -32020 } } });
    const otherVersion = await post(body('widget_create'), { ...modernHeaders('tools/call', 'widget_create'), 'mcp-protocol-version': '2025-11-25' });
    expect(otherVersion).toMatchObject({ status: 400, json: { error: { code: -32020 } } });
    const encoded = await post(body('widget_create'), modernHeaders('tools/call', `=?base64?${Buffer.from('widget_create').toString('base64')}?=`));
    expect(encoded.status).toBe(200);
    expect(await tdb.db.selectFrom('widgets').select('id').where('name', '=', 'hdr_check').execute()).toEqual([{ id: 'wid_hdr_check' }]);
  });

  it('refuses unsupported versions, missing envelopes, removed methods and batches with the revision codes', async () => {
    const future = await post(
      { jsonrpc: '2.0', id: 8, method: 'tools/list', params: { _meta: { ...envelope, [META_VERSION]: '2099-01-01' } } },
      { ...modernHeaders('tools/list'), 'mcp-protocol-version': '2099-01-01' },
    );
    expect(future.status).toBe(400);
    expect(future.json.error).toMatchObject({ code: -32022, data: { requested: '2099-01-01', supported: expect.arrayContaining([MODERN]) } });
    const noCaps = await post({ jsonrpc: '2.0', id: 9, method: 'tools/list', params: { _meta: { [META_VERSION]: MODERN } } }, modernHeaders('tools/list'));
    expect(noCaps).toMatchObject({ status: 400, json: { id: 9, error: { code: -32602 } } });
    const noEnvelope = await post({ jsonrpc: '2.0', id: 10, method: 'tools/list' }, modernHeaders('tools/list'));
    expect(noEnvelope).toMatchObject({ status: 400, json: { id: 10, error: { code: -32602 } } });
    const ping = await post({ jsonrpc: '2.0', id: 11, method: 'ping', params: { _meta: envelope } }, modernHeaders('ping'));
    expect(ping).toMatchObject({ status: 404, json: { id: 11, error: { code: -32601 } } });
    const unknown = await post({ jsonrpc: '2.0', id: 12, method: 'tools/explode', params: { _meta: envelope } }, modernHeaders('tools/explode'));
    expect(unknown).toMatchObject({ status: 404, json: { id: 12, error: { code: -32601 } } });
    const batch = await post([{ jsonrpc: '2.0', id: 13, method: 'tools/list', params: { _meta: envelope } }], modernHeaders('tools/list'));
    expect(batch).toMatchObject({ status: 400, json: { error: { code: -32600 } } });
  });

  it('keeps scope refusals and tool errors per revision', async () => {
    const client = await modernClient(readOnlyToken);
    expect((await client.listTools()).tools.map((t) => t.name)).not.toContain('widget_create');
    const refused = await client.callTool({ name: 'widget_create', arguments: { name: 'not_allowed' } });
    expect(refused.isError).toBe(true);
    expect((refused.structuredContent as { error: { code: string } }).error.code).toBe('FORBIDDEN');
    await client.close();
    expect(await tdb.db.selectFrom('widgets').select('id').where('name', '=', 'not_allowed').execute()).toEqual([]);
  });

  it('sends a 2026-07-28 request log messages only for its own _meta level, never for the level its caller set', async () => {
    const logger = await issuer.token(['customer:read'], { subject: 'log_level_setter' });
    const as = (headers: Record<string, string>) => ({ ...headers, authorization: `Bearer ${logger}` });
    const events = (text: string) =>
      text
        .split('\n')
        .filter((l) => l.startsWith('data: '))
        .map((l) => JSON.parse(l.slice(6)));
    const logged = (text: string) => events(text).filter((m) => m.method === 'notifications/message');
    const set = await post({ jsonrpc: '2.0', id: 20, method: 'logging/setLevel', params: { level: 'info' } }, as({ 'mcp-protocol-version': '2025-11-25' }));
    expect(set.status).toBe(200);
    // 2025-11-25: the remembered level holds, so the answer is a stream carrying the message.
    const legacy = await post(
      { jsonrpc: '2.0', id: 21, method: 'tools/call', params: { name: 'widget_slow', arguments: { ms: 0 } } },
      as({ 'mcp-protocol-version': '2025-11-25' }),
    );
    expect(legacy.headers.get('content-type')).toContain('text/event-stream');
    expect(logged(legacy.text)).toEqual([
      expect.objectContaining({ params: expect.objectContaining({ level: 'info', data: { message: 'widget_slow started', ms: 0 } }) }),
    ]);
    // 2026-07-28 without a _meta level: a plain JSON answer, no message.
    const call = (id: number, meta: Record<string, unknown>) => ({
      jsonrpc: '2.0',
      id,
      method: 'tools/call',
      params: { name: 'widget_slow', arguments: { ms: 0 }, _meta: meta },
    });
    const modern = await post(call(22, envelope), as(modernHeaders('tools/call', 'widget_slow')));
    expect(modern.status).toBe(200);
    expect(modern.headers.get('content-type')).toContain('application/json');
    expect(modern.json).toMatchObject({ id: 22, result: { structuredContent: { waited_ms: expect.any(Number) } } });
    expect(modern.text).not.toContain('notifications/message');
    // Its -32601 keeps the 404 a JSON answer has.
    const unknown = await post({ jsonrpc: '2.0', id: 23, method: 'tools/explode', params: { _meta: envelope } }, as(modernHeaders('tools/explode')));
    expect(unknown).toMatchObject({ status: 404, json: { id: 23, error: { code: -32601 } } });
    // With its own level it gets the message.
    const asked = await post(call(24, { ...envelope, 'io.modelcontextprotocol/logLevel': 'info' }), as(modernHeaders('tools/call', 'widget_slow')));
    expect(logged(asked.text)).toHaveLength(1);
  });

  it('acknowledges subscriptions/listen and ends it: the lists do not change while the server runs', async () => {
    const r = await post(
      { jsonrpc: '2.0', id: 14, method: 'subscriptions/listen', params: { notifications: { toolsListChanged: true }, _meta: envelope } },
      modernHeaders('subscriptions/listen'),
    );
    expect(r.status).toBe(200);
    const events = r.text
      .split('\n')
      .filter((l) => l.startsWith('data: '))
      .map((l) => JSON.parse(l.slice(6)));
    expect(events).toEqual([
      {
        jsonrpc: '2.0',
        method: 'notifications/subscriptions/acknowledged',
        params: { notifications: {}, _meta: { 'io.modelcontextprotocol/subscriptionId': 14 } },
      },
      {
        jsonrpc: '2.0',
        id: 14,
        result: {
          resultType: 'complete',
          _meta: { 'io.modelcontextprotocol/subscriptionId': 14, 'io.modelcontextprotocol/serverInfo': { name: 'widget-server', version: '0.0.0' } },
        },
      },
    ]);
  });
});

describe('both revisions over stdio', () => {
  it('answers discover, converts 2026-07-28 answers and leaves 2025-11-25 ones alone on one connection', async () => {
    const stdin = new PassThrough();
    const stdout = new PassThrough();
    const server = host.createServer(testPrincipal(['customer:read', 'customer:write']));
    await server.connect(new StdioLineTransport(stdin, stdout, { serverInfo: host.serverInfo }));
    const lines: Array<Record<string, unknown>> = [];
    let buffered = '';
    stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const parts = buffered.split('\n');
      buffered = parts.pop() ?? '';
      for (const part of parts) lines.push(JSON.parse(part));
    });
    const ask = async (message: Record<string, unknown>) => {
      const before = lines.length;
      stdin.write(`${JSON.stringify(message)}\n`);
      for (let i = 0; i < 200 && lines.length === before; i++) await new Promise((r) => setTimeout(r, 5));
      return lines[before];
    };
    const discover = await ask({ jsonrpc: '2.0', id: 1, method: 'server/discover', params: { _meta: envelope } });
    expect(discover).toMatchObject({
      id: 1,
      result: {
        resultType: 'complete',
        supportedVersions: expect.arrayContaining([MODERN]),
        _meta: { 'io.modelcontextprotocol/serverInfo': { name: 'widget-server' } },
      },
    });
    const modern = await ask({ jsonrpc: '2.0', id: 2, method: 'resources/read', params: { uri: 'nothing://here', _meta: envelope } });
    expect(modern).toMatchObject({ id: 2, error: { code: -32602 } });
    const legacy = await ask({ jsonrpc: '2.0', id: 3, method: 'resources/read', params: { uri: 'nothing://here' } });
    expect(legacy).toMatchObject({ id: 3, error: { code: -32002 } });
    const future = await ask({ jsonrpc: '2.0', id: 4, method: 'tools/list', params: { _meta: { ...envelope, [META_VERSION]: '2099-01-01' } } });
    expect(future).toMatchObject({ id: 4, error: { code: -32022, data: { requested: '2099-01-01' } } });
    const list = await ask({ jsonrpc: '2.0', id: 5, method: 'tools/list', params: { _meta: envelope } });
    expect(list).toMatchObject({ id: 5, result: { resultType: 'complete', ttlMs: 60_000, cacheScope: 'private' } });
    await server.close();
  });

  it('keeps a subscriptions/listen open where lists change, and tags each change it asked for with its id', async () => {
    const stdin = new PassThrough();
    const stdout = new PassThrough();
    const server = host.createServer(testPrincipal(['customer:read']));
    await server.connect(new StdioLineTransport(stdin, stdout, { serverInfo: host.serverInfo, listChanged: true }));
    const lines: Array<Record<string, unknown>> = [];
    stdout.on('data', (chunk: Buffer) => {
      for (const part of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(part));
    });
    const settle = () => new Promise((r) => setTimeout(r, 50));
    stdin.write(
      `${JSON.stringify({ jsonrpc: '2.0', id: 'l1', method: 'subscriptions/listen', params: { notifications: { toolsListChanged: true }, _meta: envelope } })}\n`,
    );
    await settle();
    expect(lines).toEqual([
      {
        jsonrpc: '2.0',
        method: 'notifications/subscriptions/acknowledged',
        params: { notifications: { toolsListChanged: true }, _meta: { 'io.modelcontextprotocol/subscriptionId': 'l1' } },
      },
    ]);
    await server.sendToolListChanged();
    await server.sendPromptListChanged();
    await settle();
    // Prompts were not asked for, and no 2025-11-25 client initialized on this connection: nothing untagged.
    expect(lines.slice(1)).toEqual([
      { jsonrpc: '2.0', method: 'notifications/tools/list_changed', params: { _meta: { 'io.modelcontextprotocol/subscriptionId': 'l1' } } },
    ]);
    stdin.write(`${JSON.stringify({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 'l1', _meta: envelope } })}\n`);
    await settle();
    await server.sendToolListChanged();
    await settle();
    expect(lines).toHaveLength(2);
    await server.close();
  });
});
