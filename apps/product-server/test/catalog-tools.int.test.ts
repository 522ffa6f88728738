import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalogTools, productContract } from '@mcpfed/contract-product';
import { callTool, expectToolError, expectToolOk, idempotencyKey } from '@mcpfed/testing';
import { seedInventory } from '../src/inventory/index.ts';
import { ALL_SCOPES, startProductTestServer } from './catalog-fixtures.ts';
import type { Product, ProductTestServer } from './catalog-fixtures.ts';

let server: ProductTestServer;
let admin: Client;
let writer: Client;
let viewer: Client;
let counter = 0;

/** A fresh SKU per call. */
function sku(prefix = 'CT'): string {
  counter += 1;
  return `${prefix}-${process.pid}${String(counter).padStart(4, '0')}`;
}

async function create(overrides: Record<string, unknown> = {}): Promise<Product> {
  const out = await expectToolOk<{ product: Product }>(writer, 'product_create', {
    sku: sku(),
    name: 'Auralis Wireless Headphones Q45 - Black',
    brand: 'Auralis',
    category: 'headphones',
    description: 'Over-ear headphones with 40 mm drivers.',
    price: { amount: 12999, currency: 'EUR' },
    attributes: { color: 'Black' },
    ...overrides,
  });
  return out.product;
}

beforeAll(async () => {
  server = await startProductTestServer();
  admin = await server.connect(ALL_SCOPES, 'admin-user');
  writer = await server.connect(['product:read', 'product:write'], 'writer-user');
  viewer = await server.connect(['product:read'], 'viewer-user');
});

afterAll(async () => {
  await server?.close();
});

describe('tools/list', () => {
  it('lists every catalog and inventory tool for a caller with all scopes', async () => {
    const { tools } = await admin.listTools();
    const names = tools.map((tool) => tool.name);
    expect(names.slice(0, catalogTools.length)).toEqual(catalogTools.map((tool) => tool.name));
    expect(names).toEqual(productContract.tools.map((tool) => tool.name));
    const search = tools.find((tool) => tool.name === 'product_search');
    expect(search?.inputSchema).toMatchObject({ type: 'object', additionalProperties: false });
    // The typo-correction detail lives in the guide the description points to (descriptions stay within 1,024).
    expect(search?.description).not.toContain('docs://tools/');
    const guide = await admin.readResource({ uri: 'docs://tools/product_search' });
    expect((guide.contents[0] as { text: string }).text).toContain('"wirelss headphnes"');
  });

  it('hides write and SQL tools from a read-only caller', async () => {
    const names = (await viewer.listTools()).tools.map((tool) => tool.name);
    expect(names).toContain('product_search');
    expect(names).not.toContain('product_create');
    expect(names).not.toContain('product_import');
    expect(names).not.toContain('product_query_sql');
  });
});

describe('product_create', () => {
  it('creates an active product with its first price in the history and zero stock', async () => {
    const product = await create({ sku: 'CT-NEW-1' });
    expect(product).toMatchObject({
      sku: 'CT-NEW-1',
      status: 'active',
      version: 1,
      price: { amount: 12999, currency: 'EUR' },
      attributes: { color: 'Black' },
      archived_at: null,
      stock: { on_hand: 0, reserved: 0, available: 0, locations: [] },
    });
    expect(product.price_history).toEqual([expect.objectContaining({ price: { amount: 12999, currency: 'EUR' }, changed_by: 'writer-user', reason: null })]);
  });

  it('replays the same idempotency key and refuses it with other arguments', async () => {
    const key = idempotencyKey();
    const args = { sku: sku(), name: 'Kestrel Speaker', category: 'speakers', price: { amount: 4999, currency: 'EUR' }, idempotency_key: key };
    const first = await expectToolOk<{ product: Product; replayed: boolean }>(writer, 'product_create', args);
    const again = await expectToolOk<{ product: Product; replayed: boolean }>(writer, 'product_create', args);
    expect(first.replayed).toBe(false);
    expect(again).toEqual({ ...first, replayed: true });
    const reused = await expectToolError(writer, 'product_create', { ...args, name: 'Kestrel Speaker 2' });
    expect(reused.code).toBe('IDEMPOTENCY_KEY_REUSED');
    const rows = await server.database.db.selectFrom('products').select('sku').where('sku', '=', args.sku).execute();
    expect(rows).toHaveLength(1);
  });

  it('refuses an existing SKU with CONFLICT and bad fields with VALIDATION_FAILED', async () => {
    const product = await create();
    const conflict = await expectToolError(writer, 'product_create', {
      sku: product.sku,
      name: 'Other',
      category: 'speakers',
      price: { amount: 1, currency: 'EUR' },
    });
    expect(conflict).toMatchObject({ code: 'CONFLICT', details: { sku: product.sku } });
    const invalid = await expectToolError(writer, 'product_create', {
      sku: 'lower-case',
      name: 'X',
      category: 'Bad Category',
      price: { amount: -1, currency: 'eur' },
    });
    expect(invalid.code).toBe('VALIDATION_FAILED');
    expect((invalid.details?.['issues'] as Array<{ path: string }>).map((issue) => issue.path).sort()).toEqual([
      'category',
      'price.amount',
      'price.currency',
      'sku',
    ]);
  });

  it('needs product:write', async () => {
    const denied = await expectToolError(viewer, 'product_create', { sku: sku(), name: 'X', category: 'speakers', price: { amount: 1, currency: 'EUR' } });
    expect(denied.code).toBe('FORBIDDEN');
  });
});

describe('product_update', () => {
  it('changes the given fields, bumps the version once and lists what changed', async () => {
    const product = await create();
    const out = await expectToolOk<{ product: Product; changed_fields: string[] }>(writer, 'product_update', {
      sku: product.sku,
      expected_version: 1,
      changes: { name: 'Auralis Wireless Headphones Q45 - White', brand: 'Auralis', description: null, attributes: { color: 'White' } },
    });
    expect(out.changed_fields).toEqual(['name', 'description', 'attributes']);
    expect(out.product).toMatchObject({ version: 2, name: 'Auralis Wireless Headphones Q45 - White', description: null, attributes: { color: 'White' } });
    const same = await expectToolOk<{ product: Product; changed_fields: string[] }>(writer, 'product_update', {
      sku: product.sku,
      expected_version: 2,
      changes: { brand: 'Auralis' },
    });
    expect(same.changed_fields).toEqual([]);
    expect(same.product.version).toBe(2);
  });

  it('fails with CONFLICT and the current version when the product changed since it was read', async () => {
    const product = await create();
    await expectToolOk(writer, 'product_update', { sku: product.sku, expected_version: 1, changes: { name: 'Renamed once' } });
    const stale = await expectToolError(writer, 'product_update', { sku: product.sku, expected_version: 1, changes: { name: 'Renamed twice' } });
    expect(stale).toMatchObject({ code: 'CONFLICT', details: { sku: product.sku, current_version: 2, expected_version: 1 } });
    const stored = await expectToolOk<Product>(viewer, 'product_get', { sku: product.sku });
    expect(stored).toMatchObject({ name: 'Renamed once', version: 2 });
  });

  it('lets exactly one of two concurrent updates with the same expected version win', async () => {
    const product = await create();
    const results = await Promise.all(
      ['A', 'B', 'C'].map((suffix) => callTool(writer, 'product_update', { sku: product.sku, expected_version: 1, changes: { name: `Concurrent ${suffix}` } })),
    );
    expect(results.filter((result) => !result.isError)).toHaveLength(1);
    expect(results.filter((result) => result.isError).map((result) => (result.structuredContent as { error: { code: string } }).error.code)).toEqual([
      'CONFLICT',
      'CONFLICT',
    ]);
    expect((await expectToolOk<Product>(viewer, 'product_get', { sku: product.sku })).version).toBe(2);
  });

  it('answers NOT_FOUND for an unknown SKU', async () => {
    expect((await expectToolError(writer, 'product_update', { sku: 'NOPE-404', expected_version: 1, changes: { name: 'X' } })).code).toBe('NOT_FOUND');
  });
});

describe('product_archive', () => {
  it('archives without deleting, is a no-op the second time, and an update with a status restores it', async () => {
    const product = await create();
    const archived = await expectToolOk<{ product: Product; previous_status: string; changed: boolean }>(writer, 'product_archive', {
      sku: product.sku,
      expected_version: 1,
      reason: 'discontinued',
    });
    expect(archived).toMatchObject({ previous_status: 'active', changed: true, product: { status: 'archived', version: 2 } });
    expect(archived.product.archived_at).not.toBeNull();
    const again = await expectToolOk<{ product: Product; changed: boolean }>(writer, 'product_archive', { sku: product.sku });
    expect(again).toMatchObject({ changed: false, product: { version: 2 } });
    expect((await expectToolOk<Product>(viewer, 'product_get', { sku: product.sku })).status).toBe('archived');

    const blocked = await expectToolError(writer, 'product_update', { sku: product.sku, expected_version: 2, changes: { name: 'Still archived' } });
    expect(blocked).toMatchObject({ code: 'PRECONDITION_FAILED', details: { status: 'archived' } });
    const restored = await expectToolOk<{ product: Product; changed_fields: string[] }>(writer, 'product_update', {
      sku: product.sku,
      expected_version: 2,
      changes: { status: 'active' },
    });
    expect(restored).toMatchObject({ changed_fields: ['status'], product: { status: 'active', archived_at: null, version: 3 } });
  });

  it('refuses a stale expected_version', async () => {
    const product = await create();
    await expectToolOk(writer, 'product_update', { sku: product.sku, expected_version: 1, changes: { name: 'v2' } });
    expect(await expectToolError(writer, 'product_archive', { sku: product.sku, expected_version: 1 })).toMatchObject({
      code: 'CONFLICT',
      details: { current_version: 2 },
    });
  });
});

describe('product_set_price', () => {
  it('keeps every price in the history, newest first, and skips a repeat of the current price', async () => {
    const product = await create({ price: { amount: 10000, currency: 'EUR' } });
    const first = await expectToolOk<{ product: Product; previous_price: unknown; changed: boolean }>(writer, 'product_set_price', {
      sku: product.sku,
      price: { amount: 8999, currency: 'EUR' },
      reason: 'summer sale',
      expected_version: 1,
    });
    expect(first).toMatchObject({
      changed: true,
      previous_price: { amount: 10000, currency: 'EUR' },
      product: { version: 2, price: { amount: 8999, currency: 'EUR' } },
    });
    await expectToolOk(writer, 'product_set_price', { sku: product.sku, price: { amount: 9499, currency: 'EUR' } });
    const repeat = await expectToolOk<{ product: Product; changed: boolean }>(writer, 'product_set_price', {
      sku: product.sku,
      price: { amount: 9499, currency: 'EUR' },
    });
    expect(repeat).toMatchObject({ changed: false, product: { version: 3 } });
    const stored = await expectToolOk<Product>(viewer, 'product_get', { sku: product.sku });
    expect(stored.price_history.map((entry) => [entry.price.amount, entry.changed_by, entry.reason])).toEqual([
      [9499, 'writer-user', null],
      [8999, 'writer-user', 'summer sale'],
      [10000, 'writer-user', null],
    ]);
    const history = await server.database.db.selectFrom('product_price_history').select('price_amount').where('sku', '=', product.sku).orderBy('id').execute();
    expect(history.map((row) => row.price_amount)).toEqual([10000, 8999, 9499]);
  });

  it('refuses archived products and stale versions', async () => {
    const product = await create();
    expect(await expectToolError(writer, 'product_set_price', { sku: product.sku, price: { amount: 1, currency: 'EUR' }, expected_version: 7 })).toMatchObject({
      code: 'CONFLICT',
      details: { current_version: 1 },
    });
    await expectToolOk(writer, 'product_archive', { sku: product.sku });
    expect((await expectToolError(writer, 'product_set_price', { sku: product.sku, price: { amount: 1, currency: 'EUR' } })).code).toBe('PRECONDITION_FAILED');
  });
});

describe('product_get and product_lookup', () => {
  it('shows stock per location from the inventory tables', async () => {
    const product = await create();
    await seedInventory(server.database.db, [
      { sku: product.sku, location: 'BER-1', on_hand: 7 },
      { sku: product.sku, location: 'MUC-1', on_hand: 3 },
    ]);
    await sql`UPDATE inventory_levels SET reserved = 2 WHERE sku = ${product.sku} AND location = 'BER-1'`.execute(server.database.db);
    const stored = await expectToolOk<Product>(viewer, 'product_get', { sku: product.sku });
    expect(stored.stock).toEqual({
      sku: product.sku,
      on_hand: 10,
      reserved: 2,
      available: 8,
      locations: [
        { location: 'BER-1', on_hand: 7, reserved: 2, available: 5 },
        { location: 'MUC-1', on_hand: 3, reserved: 0, available: 3 },
      ],
    });
    const result = await callTool(viewer, 'product_get', { sku: product.sku });
    expect(result.content).toContainEqual({
      type: 'resource_link',
      uri: `product://${product.sku}`,
      name: product.sku,
      title: `Product ${product.sku}`,
      mimeType: 'application/json',
    });
  });

  it('answers NOT_FOUND for an unknown SKU and VALIDATION_FAILED for a malformed one', async () => {
    expect((await expectToolError(viewer, 'product_get', { sku: 'NOPE-404' })).code).toBe('NOT_FOUND');
    expect((await expectToolError(viewer, 'product_get', { sku: 'no spaces' })).code).toBe('VALIDATION_FAILED');
  });

  it('looks up 100 SKUs in request order with the missing ones, and refuses 101', async () => {
    const skus = Array.from({ length: 98 }, (_, index) => `LK-${String(index).padStart(3, '0')}`);
    await sql`
      INSERT INTO products (sku, name, category, price_amount, currency)
      SELECT s, 'Lookup ' || s, 'cables', 100 + ord::int, 'EUR' FROM unnest(${skus}::text[]) WITH ORDINALITY AS t(s, ord)`.execute(server.database.db);
    await seedInventory(server.database.db, [{ sku: 'LK-005', location: 'HAM-1', on_hand: 4 }]);
    const requested = [...skus].reverse().concat(['LK-MISSING-1', 'LK-MISSING-2']);
    const out = await expectToolOk<{ items: Array<{ sku: string; price: { amount: number }; available: number; in_stock: boolean }>; missing: string[] }>(
      viewer,
      'product_lookup',
      {
        skus: requested,
      },
    );
    expect(out.items.map((item) => item.sku)).toEqual([...skus].reverse());
    expect(out.missing).toEqual(['LK-MISSING-1', 'LK-MISSING-2']);
    expect(out.items.find((item) => item.sku === 'LK-005')).toMatchObject({ price: { amount: 106 }, available: 4, in_stock: true });
    expect(out.items.find((item) => item.sku === 'LK-006')).toMatchObject({ available: 0, in_stock: false });

    const tooMany = await expectToolError(viewer, 'product_lookup', { skus: [...requested, 'LK-EXTRA'] });
    expect(tooMany.code).toBe('VALIDATION_FAILED');
    expect(tooMany.message).toContain('skus');
  });
});

describe('resources', () => {
  it('serves product://{sku} as the product_get JSON and NOT_FOUND for unknown SKUs', async () => {
    const product = await create();
    const read = await viewer.readResource({ uri: `product://${product.sku}` });
    const body = JSON.parse((read.contents[0] as { text: string }).text) as Product;
    expect(body).toEqual(await expectToolOk<Product>(viewer, 'product_get', { sku: product.sku }));
    await expect(viewer.readResource({ uri: 'product://NOPE-404' })).rejects.toMatchObject({ code: -32002 });
  });

  it('serves catalog://categories with counts per status', async () => {
    const read = await viewer.readResource({ uri: 'catalog://categories' });
    const body = JSON.parse((read.contents[0] as { text: string }).text) as {
      categories: Array<{ category: string; active: number; draft: number; archived: number }>;
    };
    const expected = await sql<{ category: string; active: number; draft: number; archived: number }>`
      SELECT category, count(*) FILTER (WHERE status = 'active')::int AS active, count(*) FILTER (WHERE status = 'draft')::int AS draft,
             count(*) FILTER (WHERE status = 'archived')::int AS archived
        FROM products GROUP BY category ORDER BY category`.execute(server.database.db);
    expect(body.categories).toEqual(expected.rows);
    expect(body.categories.map((row) => row.category)).toContain('headphones');
  });

  it('serves schema://product to sql:read callers only', async () => {
    const read = await admin.readResource({ uri: 'schema://product' });
    const body = JSON.parse((read.contents[0] as { text: string }).text) as { tool: string; views: Array<{ name: string }> };
    expect(body.tool).toBe('product_query_sql');
    expect(body.views.map((view) => view.name)).toEqual(['analytics_products', 'analytics_price_history', 'analytics_imports']);
    await expect(viewer.readResource({ uri: 'schema://product' })).rejects.toMatchObject({ code: -32000 });
  });

  it('lists the inventory prompt next to the catalog', async () => {
    const { prompts } = await admin.listPrompts();
    expect(prompts.map((prompt) => prompt.name)).toEqual(productContract.prompts.map((prompt) => prompt.name));
  });
});

describe('product_query_sql', () => {
  it('answers aggregates over the analytics views', async () => {
    const out = await expectToolOk<{ columns: unknown; rows: unknown[][]; truncated: boolean }>(admin, 'product_query_sql', {
      sql: "SELECT count(*) AS n FROM analytics_products WHERE category = 'cables' AND sku LIKE 'LK-%'",
    });
    expect(out).toEqual({ columns: [{ name: 'n', type: 'bigint' }], rows: [['98']], row_count: 1, truncated: false });
  });

  it('refuses base tables, writes and several statements with VALIDATION_FAILED', async () => {
    for (const statement of [
      'SELECT * FROM products',
      'DELETE FROM analytics_products',
      'SELECT 1; SELECT 2',
      'SELECT * FROM inventory_levels',
      'SELECT * FROM mcp_audit_log',
    ]) {
      expect((await expectToolError(admin, 'product_query_sql', { sql: statement })).code).toBe('VALIDATION_FAILED');
    }
  });

  it('needs sql:read', async () => {
    expect((await expectToolError(writer, 'product_query_sql', { sql: 'SELECT 1' })).code).toBe('FORBIDDEN');
  });
});
