import path from 'node:path';
import { Client as ModernClient, StreamableHTTPClientTransport as ModernHttpTransport } from '@modelcontextprotocol/client';
import { StdioClientTransport as ModernStdioTransport } from '@modelcontextprotocol/client/stdio';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { idempotencyKey } from '@mcpfed/testing';
import { FEDERATION_SCOPES } from '../src/config.ts';
import { DOMAINS, spawnFederation } from './fixtures/spawn-federation.ts';
import type { Domain, SpawnedFederation } from './fixtures/spawn-federation.ts';

// Every MCP endpoint of the federation (the four servers, the router and an upstream view; HTTP and stdio) serves the
// SDK v1 client on 2025-11-25 and the SDK v2 client on 2026-07-28 at the same URL or command (docs/decisions.md).

const REPO_ROOT = path.resolve(import.meta.dirname, '..', '..', '..');
const MODERN = '2026-07-28';
const REVISIONS = ['2025-11-25', MODERN] as const;
type Revision = (typeof REVISIONS)[number];

interface ToolResult {
  isError?: boolean;
  structuredContent?: Record<string, unknown>;
}

/** What the matrix asks of a client, the same for both SDKs. */
interface AnyClient {
  readonly era: string | undefined;
  listTools(): Promise<string[]>;
  call(name: string, args: Record<string, unknown>, onProgress?: () => void): Promise<ToolResult>;
  read(uri: string): Promise<string>;
  prompt(name: string, args: Record<string, string>): Promise<string>;
  /** completion/complete of a resource template's argument: the values offered. */
  complete(uri: string, argument: { name: string; value: string }): Promise<string[]>;
  close(): Promise<void>;
}

function wrapLegacy(client: Client): AnyClient {
  return {
    era: 'legacy',
    listTools: async () => (await client.listTools()).tools.map((t) => t.name),
    call: async (name, args, onProgress) =>
      (await client.callTool({ name, arguments: args }, undefined, onProgress ? { onprogress: onProgress, timeout: 40_000 } : {})) as ToolResult,
    read: async (uri) => ((await client.readResource({ uri })).contents[0] as { text: string }).text,
    prompt: async (name, args) => JSON.stringify((await client.getPrompt({ name, arguments: args })).messages),
    complete: async (uri, argument) => (await client.complete({ ref: { type: 'ref/resource', uri }, argument })).completion.values,
    close: () => client.close(),
  };
}

function wrapModern(client: ModernClient): AnyClient {
  return {
    era: client.getProtocolEra(),
    // `bypass`: every listing goes to the server, so two listings compare two answers, not one cached.
    listTools: async () => (await client.listTools(undefined, { cacheMode: 'bypass' })).tools.map((t) => t.name),
    call: async (name, args, onProgress) =>
      (await client.callTool({ name, arguments: args }, onProgress ? { onprogress: onProgress, timeout: 40_000 } : {})) as ToolResult,
    read: async (uri) => ((await client.readResource({ uri }, { cacheMode: 'bypass' })).contents[0] as { text: string }).text,
    prompt: async (name, args) => JSON.stringify((await client.getPrompt({ name, arguments: args })).messages),
    complete: async (uri, argument) => (await client.complete({ ref: { type: 'ref/resource', uri }, argument })).completion.values,
    close: () => client.close(),
  };
}

async function connectHttp(url: string, token: string, revision: Revision): Promise<AnyClient> {
  const requestInit = { headers: { authorization: `Bearer ${token}` } };
  if (revision === MODERN) {
    const client = new ModernClient({ name: 'matrix', version: '1.0.0' }, { versionNegotiation: { mode: { pin: MODERN } } });
    await client.connect(new ModernHttpTransport(new URL(url), { requestInit }));
    return wrapModern(client);
  }
  const client = new Client({ name: 'matrix', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit }));
  return wrapLegacy(client);
}

async function connectStdio(main: string, env: Record<string, string>, revision: Revision): Promise<AnyClient> {
  const params = {
    command: process.execPath,
    args: [path.join(REPO_ROOT, main), 'serve', '--stdio'],
    env: { ...(process.env as Record<string, string>), ...env },
    stderr: 'ignore' as const,
  };
  if (revision === MODERN) {
    const client = new ModernClient({ name: 'matrix', version: '1.0.0' }, { versionNegotiation: { mode: { pin: MODERN } } });
    await client.connect(new ModernStdioTransport(params));
    return wrapModern(client);
  }
  const client = new Client({ name: 'matrix', version: '1.0.0' });
  await client.connect(new StdioClientTransport(params));
  return wrapLegacy(client);
}

/** One endpoint: how to reach it and what it serves. */
interface Endpoint {
  name: string;
  /** The domains whose tools it serves. */
  domains: readonly Domain[];
  http?: { url: string; token: (scopes: readonly string[]) => Promise<string> };
  stdio?: { main: string; env: (scopes: readonly string[]) => Record<string, string> };
}

let federation: SpawnedFederation;
const endpoints: Endpoint[] = [];
const opened: AnyClient[] = [];

beforeAll(async () => {
  federation = await spawnFederation({ name: 'rev' });
  const user = (audience: string) => (scopes: readonly string[]) =>
    federation.issuer.mint({ subject: 'matrix-user', scopes, audience, clientId: 'e2e-agent', ttlSeconds: 3600 });
  for (const domain of DOMAINS) {
    const url = `${federation.servers[domain].url}/mcp`;
    endpoints.push({
      name: `${domain}-server`,
      domains: [domain],
      http: { url, token: user(url) },
      stdio: {
        main: `apps/${domain}-server/src/main.ts`,
        env: (scopes) => ({ ...federation.serverEnvs[domain], STDIO_PRINCIPAL: 'matrix-local', STDIO_SCOPES: scopes.join(' ') }),
      },
    });
  }
  endpoints.push({
    name: 'router',
    domains: DOMAINS,
    http: { url: `${federation.router.url}/mcp`, token: (scopes) => federation.token(scopes, 'matrix-user') },
    stdio: { main: 'apps/router/src/main.ts', env: (scopes) => ({ ...federation.routerEnv, STDIO_PRINCIPAL: 'matrix-local', STDIO_SCOPES: scopes.join(' ') }) },
  });
  endpoints.push({
    name: 'router view /mcp/customer',
    domains: ['customer'],
    http: { url: `${federation.router.url}/mcp/customer`, token: (scopes) => federation.token(scopes, 'matrix-user') },
  });
}, 120_000);

afterAll(async () => {
  await Promise.all(opened.map((client) => client.close().catch(() => undefined)));
  await federation?.close();
});

async function open(endpoint: Endpoint, transport: 'http' | 'stdio', revision: Revision, scopes: readonly string[] = FEDERATION_SCOPES): Promise<AnyClient> {
  const client =
    transport === 'http' && endpoint.http
      ? await connectHttp(endpoint.http.url, await endpoint.http.token(scopes), revision)
      : await connectStdio(endpoint.stdio?.main as string, endpoint.stdio?.env(scopes) as Record<string, string>, revision);
  opened.push(client);
  return client;
}

/** Calls that succeed on a domain, with what they must answer. Write calls carry an idempotency key and are replayed. */
async function exercise(client: AnyClient, domains: readonly Domain[], revision: Revision): Promise<void> {
  const tag = `${revision.replaceAll('-', '')}${idempotencyKey().slice(0, 8)}`;
  if (domains.includes('customer')) {
    const args = { email: `m${tag}@example.com`, first_name: 'Matrix', last_name: 'Tester', idempotency_key: idempotencyKey() };
    const created = await client.call('customer_create', args);
    expect(created.isError).toBeFalsy();
    const customer = (created.structuredContent as { customer: { id: string; email: string }; replayed: boolean }).customer;
    expect(created.structuredContent).toMatchObject({ replayed: false, customer: { email: `m${tag}@example.com` } });
    const replay = await client.call('customer_create', args);
    expect(replay.structuredContent).toMatchObject({ replayed: true, customer: { id: customer.id } });
    const read = await client.call('customer_get', { id: customer.id });
    expect(read.structuredContent).toMatchObject({ id: customer.id });
    expect(JSON.parse(await client.read(`customer://${customer.id}`))).toMatchObject({ id: customer.id });
    expect(await client.prompt('customer_support_brief', { customer_id: customer.id })).toContain(customer.id);
    // completion/complete, the same request and answer in both revisions.
    expect(await client.complete('customer://{id}', { name: 'id', value: customer.id })).toEqual([customer.id]);
  }
  if (domains.includes('product')) {
    const args = {
      sku: `MTX-${tag.toUpperCase()}`,
      name: 'Matrix lamp',
      category: 'test-goods',
      price: { amount: 1999, currency: 'EUR' },
      idempotency_key: idempotencyKey(),
    };
    const created = await client.call('product_create', args);
    expect(created.structuredContent).toMatchObject({ replayed: false });
    expect((await client.call('product_create', args)).structuredContent).toMatchObject({ replayed: true });
    expect((await client.call('product_get', { sku: args.sku })).structuredContent).toMatchObject({ sku: args.sku });
    expect(await client.read('catalog://categories')).toContain('test-goods');
  }
  if (domains.includes('order')) expect(await client.read('orders://state-machine')).toContain('confirmed');
  if (domains.includes('payment')) expect((await client.read('policy://payment/limits')).length).toBeGreaterThan(0);
  for (const domain of domains) {
    // A tool error is a result, the same in both revisions.
    const refused = await client.call(`${domain}_get`, {});
    expect(refused.isError).toBe(true);
    expect((refused.structuredContent as { error: { code: string } }).error.code).toBe('VALIDATION_FAILED');
  }
  // An unknown resource: -32002 in 2025-11-25, -32602 in 2026-07-28.
  await expect(client.read(`${domains[0]}://nothing-here-${tag}`)).rejects.toMatchObject({ code: revision === MODERN ? -32602 : -32002 });
}

describe.each(REVISIONS)('revision %s', (revision) => {
  it('every endpoint over HTTP: connect, deterministic lists, reads, idempotent writes, resources, prompts, error codes', async () => {
    for (const endpoint of endpoints) {
      if (!endpoint.http) continue;
      const client = await open(endpoint, 'http', revision);
      expect(client.era, endpoint.name).toBe(revision === MODERN ? 'modern' : 'legacy');
      const tools = await client.listTools();
      expect(await client.listTools(), endpoint.name).toEqual(tools);
      for (const domain of endpoint.domains) expect(tools, endpoint.name).toContain(`${domain}_get`);
      await exercise(client, endpoint.domains, revision);
      if (revision === MODERN) {
        // The lists are per caller (private); a server's change only with a deploy, the router's with its upstreams.
        const raw = await fetch(endpoint.http.url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            accept: 'application/json, text/event-stream',
            authorization: `Bearer ${await endpoint.http.token(FEDERATION_SCOPES)}`,
            'mcp-protocol-version': MODERN,
            'mcp-method': 'tools/list',
          },
          body: JSON.stringify({
            jsonrpc: '2.0',
            id: 1,
            method: 'tools/list',
            params: { _meta: { 'io.modelcontextprotocol/protocolVersion': MODERN, 'io.modelcontextprotocol/clientCapabilities': {} } },
          }),
        });
        const listed = ((await raw.json()) as { result: Record<string, unknown> }).result;
        expect(listed, endpoint.name).toMatchObject({ resultType: 'complete', cacheScope: 'private', ttlMs: endpoint.name.startsWith('router') ? 0 : 60_000 });
      }
    }
  }, 120_000);

  it('places an order through the router with progress relayed to the caller', async () => {
    const endpoint = endpoints.find((e) => e.name === 'router') as Endpoint;
    const client = await open(endpoint, 'http', revision);
    const tag = idempotencyKey().slice(5, 13).toUpperCase();
    const created = await client.call('customer_create', {
      email: `buyer${tag.toLowerCase()}@example.com`,
      first_name: 'Matrix',
      last_name: 'Buyer',
      addresses: [{ kind: 'shipping', line1: 'Hauptstr. 1', city: 'Berlin', postal_code: '10115', country: 'DE' }],
    });
    const customerId = (created.structuredContent as { customer: { id: string } }).customer.id;
    const sku = `MTO-${tag}`;
    expect(
      (await client.call('product_create', { sku, name: 'Matrix order lamp', category: 'test-goods', price: { amount: 2599, currency: 'EUR' } })).isError,
    ).toBeFalsy();
    expect(
      (await client.call('inventory_adjust', { sku, location: 'BER-1', delta: 5, reason: 'received', idempotency_key: idempotencyKey() })).isError,
    ).toBeFalsy();
    let progress = 0;
    const placed = await client.call(
      'order_place',
      { customer_id: customerId, lines: [{ sku, quantity: 1 }], payment_method: 'pm_card_visa', idempotency_key: idempotencyKey(), wait_ms: 20_000 },
      () => void progress++,
    );
    expect(placed.structuredContent).toMatchObject({ done: true, order: { status: 'confirmed' } });
    expect(progress).toBeGreaterThan(0);
  }, 60_000);

  it('the lazy and read-only views: a call named in tools_call reaches its server under its own name', async () => {
    const lazy = await open(
      { name: 'lazy', domains: [], http: { url: `${federation.router.url}/mcp/x/lazy`, token: (scopes) => federation.token(scopes, 'matrix-user') } },
      'http',
      revision,
    );
    expect((await lazy.listTools()).sort()).toEqual(['tools_call', 'tools_describe', 'tools_search']);
    // Answered by the customer server itself: the rewritten call carried Mcp-Name customer_get, not tools_call.
    const refused = await lazy.call('tools_call', { name: 'customer_get', arguments: {} });
    expect((refused.structuredContent as { error: { code: string; message: string } }).error).toMatchObject({
      code: 'VALIDATION_FAILED',
      message: expect.stringContaining('exactly one of id or email'),
    });
    const readonly = await open(
      { name: 'readonly', domains: [], http: { url: `${federation.router.url}/mcp/readonly`, token: (scopes) => federation.token(scopes, 'matrix-user') } },
      'http',
      revision,
    );
    const tools = await readonly.listTools();
    expect(tools).toContain('customer_get');
    expect(tools).not.toContain('customer_create');
  }, 60_000);

  it('every endpoint over stdio', async () => {
    for (const endpoint of endpoints) {
      if (!endpoint.stdio) continue;
      const client = await open(endpoint, 'stdio', revision);
      expect(client.era, endpoint.name).toBe(revision === MODERN ? 'modern' : 'legacy');
      const tools = await client.listTools();
      expect(await client.listTools(), endpoint.name).toEqual(tools);
      await exercise(client, endpoint.domains, revision);
      await client.close();
    }
  }, 180_000);

  it('refuses what the scopes do not allow and writes nothing', async () => {
    for (const endpoint of endpoints) {
      if (!endpoint.http || !endpoint.domains.includes('customer')) continue;
      const reader = await open(endpoint, 'http', revision, ['customer:read']);
      expect(await reader.listTools(), endpoint.name).not.toContain('customer_create');
      const email = `ro${idempotencyKey().slice(0, 8)}@example.com`;
      // A server answers HTTP 403 insufficient_scope (step-up); the router a FORBIDDEN tool result.
      const outcome = await reader.call('customer_create', { email, first_name: 'No', last_name: 'Scope' }).then(
        (result) => (result.structuredContent as { error?: { code: string } }).error?.code,
        (error: unknown) => String((error as Error).message),
      );
      expect(outcome, endpoint.name).toMatch(/FORBIDDEN|403|insufficient_scope|Forbidden/);
      const admin = await open(endpoint, 'http', revision);
      expect((await admin.call('customer_get', { email })).structuredContent, endpoint.name).toMatchObject({ error: { code: 'NOT_FOUND' } });
    }
  }, 60_000);
});
