/**
 * The router's views over the four real servers: toolsets by path and header, the read-only view and the lazy
 * view. Each lists exactly its tools for the caller's scopes, refuses (not only hides) what it leaves out, and the
 * lazy view's call reaches the upstream exactly as a direct call does: the same audit rows, error codes and rate
 * limit.
 */
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callTool, expectToolOk, idempotencyKey } from '@mcpfed/testing';
import type { ToolCallResult } from '@mcpfed/testing';
import { FEDERATION_SCOPES } from '../src/config.ts';
import { spawnFederation } from './fixtures/spawn-federation.ts';
import type { SpawnedFederation } from './fixtures/spawn-federation.ts';

/** Calls of one tool one principal may make per window on the customer server (RATE_LIMIT_POINTS). */
const RATE_LIMIT = 3;
const MISSING_CUSTOMER = 'cus_00000000000000000000000000';

/** The role presets' scopes (tools/client-config `ROLE_PRESETS`, which this app may not import). */
const SCOPES = {
  shopper: ['customer:read', 'order:read', 'order:write', 'payment:read', 'product:read'],
  support: ['customer:read', 'customer:any', 'order:read', 'payment:read', 'product:read'],
  catalog: ['product:read', 'product:write'],
  finance: ['customer:read', 'customer:any', 'order:read', 'payment:read', 'payment:write', 'payment:refund'],
  analyst: ['customer:read', 'customer:any', 'order:read', 'product:read', 'payment:read', 'sql:read'],
} as const;

/** What each role preset's view lists for its scopes: pinned by hand, so a change of a toolset shows here. */
const PRESET_VIEWS: ReadonlyArray<[string, string, readonly string[], readonly string[]]> = [
  [
    'shopper',
    '/mcp/x/shopping',
    SCOPES.shopper,
    [
      'customer_check_eligibility',
      'customer_get',
      'inventory_get',
      'order_cancel',
      'order_get',
      'order_place',
      'order_quote',
      'order_search',
      'payment_method_list',
      'product_get',
      'product_lookup',
      'product_search',
    ],
  ],
  [
    'support',
    '/mcp/x/support',
    SCOPES.support,
    [
      'customer_check_eligibility',
      'customer_get',
      'customer_search',
      'customer_timeline',
      'inventory_get',
      'order_events',
      'order_get',
      'order_search',
      'order_workflow_get',
      'payment_get',
      'payment_refundable',
      'payment_search',
      'product_get',
      'product_lookup',
    ],
  ],
  [
    'catalog',
    '/mcp/x/catalog',
    SCOPES.catalog,
    [
      'inventory_adjust',
      'inventory_get',
      'inventory_low_stock',
      'inventory_movements',
      'product_archive',
      'product_create',
      'product_get',
      'product_import',
      'product_import_status',
      'product_lookup',
      'product_search',
      'product_set_price',
      'product_update',
    ],
  ],
  [
    'finance',
    '/mcp/x/finance',
    SCOPES.finance,
    [
      'customer_get',
      'order_get',
      'order_search',
      'order_summary',
      'payment_balance_summary',
      'payment_capture',
      'payment_get',
      'payment_method_list',
      'payment_reconcile',
      'payment_refund',
      'payment_refundable',
      'payment_search',
      'payment_void',
    ],
  ],
  [
    'analyst',
    '/mcp/x/analytics,readonly',
    SCOPES.analyst,
    [
      'customer_query_sql',
      'customer_search',
      'inventory_low_stock',
      'order_query_sql',
      'order_search',
      'order_summary',
      'payment_balance_summary',
      'payment_query_sql',
      'product_query_sql',
      'product_search',
    ],
  ],
  ['admin', '/mcp/x/lazy', FEDERATION_SCOPES, ['tools_call', 'tools_describe', 'tools_search']],
];

const READ_ONLY_TOOLS = [
  'customer_check_eligibility',
  'customer_export_data',
  'customer_get',
  'customer_query_sql',
  'customer_search',
  'customer_timeline',
  'inventory_get',
  'inventory_low_stock',
  'inventory_movements',
  'order_events',
  'order_get',
  'order_query_sql',
  'order_quote',
  'order_search',
  'order_summary',
  'order_workflow_get',
  'order_workflow_list',
  'payment_balance_summary',
  'payment_get',
  'payment_method_list',
  'payment_query_sql',
  'payment_reconcile',
  'payment_refundable',
  'payment_search',
  'product_get',
  'product_import_status',
  'product_lookup',
  'product_query_sql',
  'product_search',
];

let federation: SpawnedFederation;
let customerId: string;

async function names(client: Client): Promise<string[]> {
  return (await client.listTools()).tools.map((tool) => tool.name).sort();
}

/** The error of a tool result without its request id (which differs per call), or `ok`. */
function outcome(result: ToolCallResult): unknown {
  if (result.isError !== true) return 'ok';
  const { request_id: _id, ...error } = (result.structuredContent as { error: Record<string, unknown> }).error;
  return error;
}

/** The tool's own result through the lazy view's tools_call. */
function viaLazy(client: Client, name: string, args: Record<string, unknown>): Promise<ToolCallResult> {
  return callTool(client, 'tools_call', { name, arguments: args });
}

interface AuditRow {
  tool: string;
  outcome: string;
  args_digest: string;
  replayed: boolean;
  dry_run: boolean;
}

/** The customer server's audit rows of `principal`, once `count` are there (reads are written in batches). */
async function auditRows(principal: string, count: number): Promise<AuditRow[]> {
  const until = Date.now() + 20_000;
  for (;;) {
    const { rows } = await sql<AuditRow & { principal_id: string }>`
      SELECT tool, outcome, args_digest, replayed, dry_run FROM mcp_audit_log WHERE principal_id = ${principal} ORDER BY id`.execute(
      federation.databases.customer.db,
    );
    if (rows.length >= count || Date.now() > until) return rows;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function post(path: string, headers: Record<string, string>, token?: string): Promise<Response> {
  return fetch(`${federation.router.url}${path}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...headers,
    },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} }),
  });
}

beforeAll(async () => {
  federation = await spawnFederation({ name: 'v', serverEnv: { customer: { RATE_LIMIT_POINTS: String(RATE_LIMIT), RATE_LIMIT_WINDOW_SECONDS: '600' } } });
  const admin = await federation.connect(FEDERATION_SCOPES, 'views-admin');
  const created = await expectToolOk<{ customer: { id: string } }>(admin, 'customer_create', {
    email: `${idempotencyKey()}@example.com`,
    first_name: 'View',
    last_name: 'Tester',
  });
  customerId = created.customer.id;
}, 120_000);

afterAll(async () => {
  await federation?.close();
}, 60_000);

describe('toolsets and the read-only view', () => {
  it.each(PRESET_VIEWS)('role %s at %s lists exactly its tools for its scopes', async (role, path, scopes, expected) => {
    expect(await names(await federation.connect(scopes, `preset-${role}`, { path }))).toEqual([...expected].sort());
  });

  it('read-only by path, by header and by word lists the readOnlyHint tools only', async () => {
    expect(await names(await federation.connect(FEDERATION_SCOPES, 'ro-path', { path: '/mcp/readonly' }))).toEqual(READ_ONLY_TOOLS);
    expect(await names(await federation.connect(FEDERATION_SCOPES, 'ro-header', { headers: { 'x-mcp-readonly': 'true' } }))).toEqual(READ_ONLY_TOOLS);
    expect(await names(await federation.connect(FEDERATION_SCOPES, 'ro-word', { headers: { 'x-mcp-toolsets': 'readonly' } }))).toEqual(READ_ONLY_TOOLS);
  });

  it('X-MCP-Toolsets on /mcp lists what the path does, and combines with read-only', async () => {
    const byPath = await names(await federation.connect(SCOPES.finance, 'ts-path', { path: '/mcp/x/finance' }));
    expect(await names(await federation.connect(SCOPES.finance, 'ts-header', { headers: { 'x-mcp-toolsets': 'finance' } }))).toEqual(byPath);
    const readOnlyFinance = await names(await federation.connect(SCOPES.finance, 'ts-ro', { path: '/mcp/x/finance', headers: { 'x-mcp-readonly': 'true' } }));
    expect(readOnlyFinance).toEqual(byPath.filter((name) => READ_ONLY_TOOLS.includes(name)));
    expect(readOnlyFinance).not.toContain('payment_refund');
  });

  it('a tool outside the view is refused with FORBIDDEN, not forwarded, and nothing is written', async () => {
    const catalogView = await federation.connect(FEDERATION_SCOPES, 'outside-catalog', { path: '/mcp/x/catalog' });
    const refused = await callTool(catalogView, 'customer_get', { id: customerId });
    expect(outcome(refused)).toMatchObject({ code: 'FORBIDDEN', retryable: false, details: { view: { toolsets: ['catalog'], read_only: false } } });
    const readOnly = await federation.connect(FEDERATION_SCOPES, 'outside-readonly', { path: '/mcp/readonly' });
    const write = await callTool(readOnly, 'customer_create', { email: `${idempotencyKey()}@example.com`, first_name: 'No', last_name: 'Write' });
    expect(outcome(write)).toMatchObject({ code: 'FORBIDDEN', message: expect.stringContaining('not in this view (every toolset; read-only)') });
    // Refused at the router: the customer server never saw either call.
    expect(await auditRows('outside-catalog', 0)).toEqual([]);
    expect(await auditRows('outside-readonly', 0)).toEqual([]);
    const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM customers`.execute(federation.databases.customer.db);
    expect(rows[0]?.n).toBe(1);
  });

  it('a view never grants a scope: in the finance view a support token is refused payment_refund', async () => {
    const client = await federation.connect(SCOPES.support, 'finance-as-support', { path: '/mcp/x/finance' });
    expect(await names(client)).not.toContain('payment_refund');
    const refused = await callTool(client, 'payment_refund', {
      payment_id: 'pay_00000000000000000000000000',
      amount: 1,
      reason: 'requested_by_customer',
      idempotency_key: idempotencyKey(),
    });
    expect(outcome(refused)).toMatchObject({ code: 'FORBIDDEN', details: { missing: expect.arrayContaining(['payment:refund']) } });
  });

  it('an unknown view is 404, a bad header 400, toolsets in both places 400; every view has the same auth', async () => {
    const token = await federation.token(FEDERATION_SCOPES);
    expect((await post('/mcp/x/nope', {}, token)).status).toBe(404);
    expect((await post('/mcp/nope', {}, token)).status).toBe(404);
    expect((await post('/mcp', { 'x-mcp-toolsets': 'finance,nope' }, token)).status).toBe(400);
    expect((await post('/mcp', { 'x-mcp-readonly': 'yes' }, token)).status).toBe(400);
    expect((await post('/mcp/x/finance', { 'x-mcp-toolsets': 'support' }, token)).status).toBe(400);
    const merged = await post('/mcp', {});
    for (const path of ['/mcp/x/finance', '/mcp/readonly', '/mcp/x/lazy']) {
      const unauthenticated = await post(path, {});
      expect(unauthenticated.status).toBe(401);
      expect(unauthenticated.headers.get('www-authenticate')).toBe(merged.headers.get('www-authenticate'));
      expect((await post(path, { origin: 'https://evil.example' }, token)).status).toBe(403);
      expect((await fetch(`${federation.router.url}/.well-known/oauth-protected-resource${path}`)).status).toBe(200);
    }
  });
});

describe('tool guides', () => {
  it("every tool has docs://tools/<name>, named by the instructions, with its guide and result fields, readable with the tool's scopes", async () => {
    const reader = await federation.connect(['product:read'], 'guide-reader');
    const search = (await reader.listTools()).tools.find((tool) => tool.name === 'product_search');
    expect(search?.description?.length).toBeLessThanOrEqual(1024);
    expect(search?.description).not.toContain('docs://tools/');
    const guide = await reader.readResource({ uri: 'docs://tools/product_search' });
    expect(guide.contents[0]).toMatchObject({
      uri: 'docs://tools/product_search',
      mimeType: 'text/markdown',
      text: expect.stringContaining('pg_trgm trigram similarity'),
    });
    expect(reader.getInstructions()).toContain('docs://tools/<tool name>');
    // A tool without a written guide has one too: its description and what each result field means.
    const get = await reader.readResource({ uri: 'docs://tools/product_get' });
    expect((get.contents[0] as { text: string }).text).toContain('## Result fields');
    expect((get.contents[0] as { text: string }).text).toMatch(/^- version: Pass as expected_version/m);
    const stranger = await federation.connect(['customer:read'], 'guide-stranger');
    await expect(stranger.readResource({ uri: 'docs://tools/product_search' })).rejects.toMatchObject({ data: { code: 'FORBIDDEN' } });
  });
});

describe('the lazy view', () => {
  it('searches by words only among the tools the caller may use, and describes one as tools/list lists it', async () => {
    const finance = await federation.connect(SCOPES.finance, 'lazy-finance', { path: '/mcp/x/lazy' });
    const found = await expectToolOk<{ items: Array<{ name: string; summary: string }> }>(finance, 'tools_search', { query: 'refund a payment' });
    expect(found.items.map((item) => item.name)).toContain('payment_refund');
    const support = await federation.connect(SCOPES.support, 'lazy-support', { path: '/mcp/x/lazy' });
    const seen = await expectToolOk<{ items: Array<{ name: string }> }>(support, 'tools_search', { query: 'refund a payment', limit: 50 });
    expect(seen.items.map((item) => item.name)).not.toContain('payment_refund');
    const listed = (await (await federation.connect(SCOPES.support, 'lazy-direct-list')).listTools()).tools.find((tool) => tool.name === 'customer_get');
    const described = await expectToolOk<{ tool: Record<string, unknown> }>(support, 'tools_describe', { name: 'customer_get' });
    expect(described.tool).toEqual(JSON.parse(JSON.stringify(listed)));
    expect(outcome(await callTool(support, 'tools_describe', { name: 'payment_refund' }))).toMatchObject({ code: 'FORBIDDEN' });
    expect(outcome(await callTool(support, 'customer_get', { id: customerId }))).toMatchObject({ code: 'FORBIDDEN' });
  });

  it('a call through tools_call leaves the same audit row, answers the same result and errors as a direct call', async () => {
    const direct = await federation.connect(SCOPES.support, 'audit-direct');
    const lazy = await federation.connect(SCOPES.support, 'audit-lazy', { path: '/mcp/x/lazy' });
    const directOk = await callTool(direct, 'customer_get', { id: customerId });
    const lazyOk = await viaLazy(lazy, 'customer_get', { id: customerId });
    expect(lazyOk.structuredContent).toEqual(directOk.structuredContent);
    expect(outcome(lazyOk)).toBe('ok');
    const errors = [{ id: MISSING_CUSTOMER }, { id: 'not-an-id' }];
    const codes: unknown[] = [];
    for (const args of errors) {
      const answered = outcome(await callTool(direct, 'customer_get', args));
      expect(outcome(await viaLazy(lazy, 'customer_get', args))).toEqual(answered);
      codes.push((answered as { code: string }).code);
    }
    expect(codes).toEqual(['NOT_FOUND', 'VALIDATION_FAILED']);
    const directRows = await auditRows('audit-direct', 3);
    expect(directRows.map((row) => row.outcome)).toEqual(['ok', 'NOT_FOUND', 'VALIDATION_FAILED']);
    expect(await auditRows('audit-lazy', 3)).toEqual(directRows.slice(0, 3));
  });

  it('is rate-limited by the upstream exactly like a direct call', async () => {
    const direct = await federation.connect(SCOPES.support, 'limit-direct');
    const lazy = await federation.connect(SCOPES.support, 'limit-lazy', { path: '/mcp/x/lazy' });
    const directCodes: unknown[] = [];
    const lazyCodes: unknown[] = [];
    for (let call = 0; call <= RATE_LIMIT; call++) {
      directCodes.push(outcome(await callTool(direct, 'customer_timeline', { customer_id: customerId })));
      lazyCodes.push(outcome(await viaLazy(lazy, 'customer_timeline', { customer_id: customerId })));
    }
    expect(directCodes.slice(0, RATE_LIMIT)).toEqual(Array(RATE_LIMIT).fill('ok'));
    expect(directCodes[RATE_LIMIT]).toMatchObject({ code: 'RATE_LIMITED' });
    expect(lazyCodes.map((code) => (typeof code === 'string' ? code : (code as { code: string }).code))).toEqual(
      directCodes.map((code) => (typeof code === 'string' ? code : (code as { code: string }).code)),
    );
  });
});
