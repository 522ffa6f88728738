/**
 * A 2026-07-28 `tools/call` is routed on its `Mcp-Method`/`Mcp-Name` headers, its body forwarded unparsed
 * (docs/decisions.md, "Routing on headers"). The router still refuses, before forwarding, a tool the header names
 * outside the caller's view or scopes; the real upstream refuses a body that calls another tool than the header
 * names (400 -32020), and a batch behind such headers, before anything runs: no row is written anywhere. Each test
 * counts the router's header-routed requests (`router_header_routed_requests_total`), so an answer the router's
 * parsed path would give alike still shows which path the request took.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { idempotencyKey } from '@mcpfed/testing';
import { FEDERATION_SCOPES } from '../src/config.ts';
import { spawnFederation } from './fixtures/spawn-federation.ts';
import type { SpawnedFederation } from './fixtures/spawn-federation.ts';

const MODERN = '2026-07-28';
const envelope = { 'io.modelcontextprotocol/protocolVersion': MODERN, 'io.modelcontextprotocol/clientCapabilities': {} };

let federation: SpawnedFederation;
let admin: string;
let reader: string;
let customerId: string;

const headersFor = (name: string) => ({ 'mcp-protocol-version': MODERN, 'mcp-method': 'tools/call', 'mcp-name': name });

const call = (id: number, name: string, args: Record<string, unknown>) => ({
  jsonrpc: '2.0',
  id,
  method: 'tools/call',
  params: { name, arguments: args, _meta: envelope },
});

const createArgs = (email: string) => ({
  email,
  first_name: 'Header',
  last_name: 'Routed',
  addresses: [{ kind: 'shipping', line1: 'Hauptstr. 1', city: 'Berlin', postal_code: '10115', country: 'DE' }],
});

async function post(token: string, path: string, headers: Record<string, string>, body: string) {
  const res = await fetch(`${federation.router.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', authorization: `Bearer ${token}`, ...headers },
    body,
  });
  const text = await res.text();
  return { status: res.status, json: text === '' ? undefined : (JSON.parse(text) as Record<string, unknown>) };
}

async function customersWith(email: string): Promise<number> {
  const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM customers WHERE email = ${email}`.execute(federation.databases.customer.db as never);
  return (rows[0] as { n: number }).n;
}

/** Requests the router routed to the customer server on their headers, bodies unparsed, so far. */
async function headerRouted(): Promise<number> {
  const text = await (await fetch(`${federation.router.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith('router_header_routed_requests_total{') && l.includes('upstream="customer"'));
  return line === undefined ? 0 : Number(line.slice(line.lastIndexOf(' ') + 1));
}

function toolError(json: Record<string, unknown> | undefined): { code: string; message: string } {
  const result = json?.['result'] as { isError?: boolean; structuredContent?: { error: { code: string; message: string } } };
  expect(result.isError).toBe(true);
  return result.structuredContent?.error as { code: string; message: string };
}

beforeAll(async () => {
  federation = await spawnFederation({ name: 'hdr' });
  admin = await federation.token(FEDERATION_SCOPES, 'hdr-admin');
  reader = await federation.token(['customer:read', 'customer:any'], 'hdr-reader');
  const email = `${idempotencyKey()}@example.com`;
  const created = await post(admin, '/mcp', headersFor('customer_create'), JSON.stringify(call(1, 'customer_create', createArgs(email))));
  expect(created.status).toBe(200);
  customerId = (created.json?.['result'] as { structuredContent: { customer: { id: string } } }).structuredContent.customer.id;
  expect(await customersWith(email)).toBe(1);
}, 120_000);

afterAll(async () => {
  await federation?.close();
});

describe('tools/call routed on Mcp-Method/Mcp-Name', () => {
  it('forwards the call the headers name, in plain and in base64 form, and the upstream answers it in 2026-07-28', async () => {
    const before = await headerRouted();
    for (const name of ['customer_get', `=?base64?${Buffer.from('customer_get').toString('base64')}?=`]) {
      const got = await post(
        reader,
        '/mcp/readonly',
        { ...headersFor('customer_get'), 'mcp-name': name },
        JSON.stringify(call(7, 'customer_get', { id: customerId })),
      );
      expect(got.status).toBe(200);
      expect(got.json).toMatchObject({ id: 7, result: { resultType: 'complete', structuredContent: { id: customerId } } });
    }
    expect(await headerRouted()).toBe(before + 2);
  });

  it('a header naming an allowed read tool over a body calling a write tool runs nothing: the upstream refuses it 400 -32020', async () => {
    const before = await headerRouted();
    for (const [token, path] of [
      [reader, '/mcp'],
      [admin, '/mcp/readonly'],
      [admin, '/mcp/x/support'],
    ] as const) {
      const email = `${idempotencyKey()}@example.com`;
      const res = await post(token, path, headersFor('customer_get'), JSON.stringify(call(11, 'customer_create', createArgs(email))));
      expect(res.status).toBe(400);
      expect(res.json).toMatchObject({ jsonrpc: '2.0', id: 11, error: { code: -32020 } });
      expect(String((res.json?.['error'] as { message: string }).message)).toContain('Mcp-Name');
      expect(await customersWith(email)).toBe(0);
    }
    // The router's parsed path refuses the same mismatch with the same 400 -32020: only the count shows the upstream did.
    expect(await headerRouted()).toBe(before + 3);
  });

  it('a batch, a notification or a legacy body behind the headers of an allowed tool runs nothing', async () => {
    const before = await headerRouted();
    const email = `${idempotencyKey()}@example.com`;
    const legacy = { jsonrpc: '2.0', id: 12, method: 'tools/call', params: { name: 'customer_create', arguments: createArgs(email) } };
    const batch = await post(admin, '/mcp/readonly', headersFor('customer_get'), JSON.stringify([legacy]));
    expect(batch.status).toBe(400);
    expect(batch.json).toMatchObject({ id: null, error: { code: -32600 } });
    const single = await post(admin, '/mcp/readonly', headersFor('customer_get'), JSON.stringify(legacy));
    expect(single.status).toBe(400);
    expect((single.json?.['error'] as { code: number }).code).toBe(-32602);
    const { id: _id, ...notification } = call(0, 'customer_create', createArgs(email));
    // A notification is accepted and dropped by the upstream (202, nothing runs), never counted as its failure: more
    // of them than the breaker's 5 consecutive failures leave it closed.
    for (let i = 0; i < 6; i++) {
      const noted = await post(admin, '/mcp/readonly', headersFor('customer_get'), JSON.stringify(notification));
      expect({ status: noted.status, json: noted.json }).toEqual({ status: 202, json: undefined });
    }
    const otherMethod = await post(
      admin,
      '/mcp/readonly',
      headersFor('customer_get'),
      JSON.stringify({ ...call(13, 'customer_create', createArgs(email)), method: 'prompts/get' }),
    );
    expect(otherMethod.status).toBe(400);
    expect(otherMethod.json).toMatchObject({ id: 13, error: { code: -32020 } });
    expect(await customersWith(email)).toBe(0);
    // The batch, the legacy body, six notifications and the other method all went to the upstream unparsed.
    expect(await headerRouted()).toBe(before + 9);
    const status = (await (await fetch(`${federation.router.url}/status`)).json()) as {
      upstreams: Array<{ name: string; breaker: string; available: boolean }>;
    };
    expect(status.upstreams.find((u) => u.name === 'customer')).toMatchObject({ available: true, breaker: 'closed' });
  });

  it('a body that is not JSON gets the upstream parse error; a malformed message its -32600', async () => {
    const before = await headerRouted();
    const garbage = await post(reader, '/mcp', headersFor('customer_get'), '{"jsonrpc":"2.0",');
    expect(garbage.status).toBe(400);
    expect(garbage.json).toMatchObject({ id: null, error: { code: -32700 } });
    const stray = await post(reader, '/mcp', headersFor('customer_get'), JSON.stringify({ ...call(14, 'customer_get', { id: customerId }), extra: 1 }));
    expect(stray.status).toBe(400);
    expect(stray.json).toMatchObject({ id: 14, error: { code: -32600 } });
    expect(await headerRouted()).toBe(before + 2);
  });

  it('refuses before forwarding a tool the header names outside the view or the scopes, with the request id', async () => {
    const before = await headerRouted();
    const email = `${idempotencyKey()}@example.com`;
    const body = JSON.stringify(call(21, 'customer_create', createArgs(email)));
    const outside = await post(admin, '/mcp/readonly', headersFor('customer_create'), body);
    expect(outside.status).toBe(200);
    expect(outside.json?.['id']).toBe(21);
    expect(toolError(outside.json)).toMatchObject({ code: 'FORBIDDEN', message: expect.stringContaining('customer_create is not in this view') });
    const unscoped = await post(reader, '/mcp', headersFor('customer_create'), body);
    expect(unscoped.json?.['id']).toBe(21);
    expect(toolError(unscoped.json)).toMatchObject({ code: 'FORBIDDEN', message: expect.stringContaining('needs the scope(s) customer:write') });
    const unknown = await post(admin, '/mcp', headersFor('customer_nope'), JSON.stringify(call(22, 'customer_nope', {})));
    expect(unknown.json).toMatchObject({ id: 22, error: { code: -32602 } });
    expect(await customersWith(email)).toBe(0);
    expect(await headerRouted()).toBe(before);
  });

  // Last: it stops the customer server.
  it('answers a header-routed call itself when the upstream is down, with the id of the body it then parses', async () => {
    await federation.servers.customer.stop(5000);
    const before = await headerRouted();
    const down = await post(reader, '/mcp', headersFor('customer_get'), JSON.stringify(call(31, 'customer_get', { id: customerId })));
    expect(down.status).toBe(200);
    expect(down.json?.['id']).toBe(31);
    expect(toolError(down.json).code).toBe('UPSTREAM_UNAVAILABLE');
    const garbage = await post(reader, '/mcp', headersFor('customer_get'), 'not json');
    expect(garbage.json?.['id']).toBeNull();
    expect(toolError(garbage.json).code).toBe('UPSTREAM_UNAVAILABLE');
    expect(await headerRouted()).toBe(before + 2);
  });
});
