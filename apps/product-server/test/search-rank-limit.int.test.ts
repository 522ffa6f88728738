import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RELEVANCE_RANK_LIMIT } from '@mcpfed/contract-product';
import { expectToolError, expectToolOk } from '@mcpfed/testing';
import { refreshSearchIndex } from '../src/catalog/store/search-maintenance.ts';
import { startProductTestServer } from './catalog-fixtures.ts';
import type { ProductTestServer } from './catalog-fixtures.ts';

// Relevance ranks every match (issue 11.13), so its work is bounded by a cap on matches, not by a sample of them.

let server: ProductTestServer;
let client: Client;

beforeAll(async () => {
  server = await startProductTestServer();
  client = await server.connect(['product:read'], 'search-user');
  // One more product than relevance may rank mention "quillon"; half of them also "ferrule". Setup, not the thing
  // under test: it runs without the connection's 5 s statement timeout, which a busy machine can exceed.
  await server.database.db.transaction().execute(async (trx) => {
    await sql`SELECT set_config('statement_timeout', '0', true)`.execute(trx);
    await sql`
      INSERT INTO products (sku, name, category, price_amount, currency)
      SELECT 'QL-' || lpad(i::text, 6, '0'), 'Quillon ' || CASE WHEN i % 2 = 0 THEN 'Ferrule ' ELSE '' END || i, 'tools', 100 + i % 50, 'EUR'
        FROM generate_series(1, ${RELEVANCE_RANK_LIMIT + 1}) AS i`.execute(trx);
    await refreshSearchIndex(trx);
  });
}, 180_000);

afterAll(async () => {
  await server?.close();
});

describe('relevance ranking past its cap', () => {
  it('is LIMIT_EXCEEDED for a query matching more products than it ranks; narrower queries and other sorts answer', async () => {
    const error = await expectToolError(client, 'product_search', { query: 'quillon', limit: 5 });
    expect(error).toMatchObject({ code: 'LIMIT_EXCEEDED', details: { max_ranked: RELEVANCE_RANK_LIMIT } });
    const narrower = await expectToolOk<{ items: Array<{ sku: string }> }>(client, 'product_search', { query: 'quillon ferrule', limit: 2 });
    expect(narrower.items).toHaveLength(2);
    const byPrice = await expectToolOk<{ items: Array<{ sku: string }> }>(client, 'product_search', { query: 'quillon', sort: 'price_asc', limit: 2 });
    expect(byPrice.items.map((item) => item.sku)).toEqual(['QL-000050', 'QL-000100']);
  });
});
