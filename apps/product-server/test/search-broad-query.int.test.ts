import { createHash } from 'node:crypto';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectToolOk } from '@mcpfed/testing';
import { ProductBulkStore } from '../src/catalog/store/product-bulk-store.ts';
import { startProductTestServer } from './catalog-fixtures.ts';
import type { ProductTestServer } from './catalog-fixtures.ts';

// Relevance ranks every match, however many (it once refused queries matching more than 50,000 products).

const MATCHES = 60_000;

let server: ProductTestServer;
let client: Client;

beforeAll(async () => {
  server = await startProductTestServer();
  client = await server.connect(['product:read'], 'search-user');
  // MATCHES products mention "quillon" in their description; half of them also "ferrule" in their name. The best
  // match, with the word in its name, is written last. Setup runs without the connection's 5 s statement timeout,
  // which a busy machine can exceed.
  await server.database.db.transaction().execute(async (trx) => {
    await sql`SELECT set_config('statement_timeout', '0', true)`.execute(trx);
    await sql`
      INSERT INTO products (sku, name, category, description, price_amount, currency)
      SELECT 'QL-' || lpad(i::text, 6, '0'), 'Tool ' || CASE WHEN i % 2 = 0 THEN 'Ferrule ' ELSE '' END || i, 'tools', 'Quillon.', 100 + i % 50, 'EUR'
        FROM generate_series(1, ${MATCHES}) AS i`.execute(trx);
    await sql`INSERT INTO products (sku, name, category, price_amount, currency) VALUES ('QZ-BEST', 'Quillon', 'tools', 99999, 'EUR')`.execute(trx);
    await new ProductBulkStore(trx, new AbortController().signal).refreshSearchIndex();
  });
}, 180_000);

afterAll(async () => {
  await server?.close();
});

describe('relevance over a very broad query', () => {
  it('ranks all of its matches: the best one first, then the tie by shuffle and SKU, and the cursor goes on from there', async () => {
    // The documented tie-break: product_shuffle(sku), the first 12 bits of the SKU's MD5, then the SKU.
    const shuffle = (sku: string) => Number.parseInt(createHash('md5').update(sku).digest('hex').slice(0, 3), 16);
    const tied = Array.from({ length: MATCHES }, (_, index) => `QL-${String(index + 1).padStart(6, '0')}`).sort(
      (a, b) => shuffle(a) - shuffle(b) || (a < b ? -1 : 1),
    );
    const first = await expectToolOk<{ items: Array<{ sku: string }>; next_cursor: string | null }>(client, 'product_search', { query: 'quillon', limit: 3 });
    expect(first.items.map((item) => item.sku)).toEqual(['QZ-BEST', ...tied.slice(0, 2)]);
    const second = await expectToolOk<{ items: Array<{ sku: string }> }>(client, 'product_search', { query: 'quillon', limit: 3, cursor: first.next_cursor });
    expect(second.items.map((item) => item.sku)).toEqual(tied.slice(2, 5));
    // Both words: "ferrule" in the name, "quillon" in the description, so brand/category/name do not hold both (tier 1).
    const narrower = await expectToolOk<{ items: Array<{ sku: string }> }>(client, 'product_search', { query: 'quillon ferrule', limit: 2 });
    expect(narrower.items.map((item) => item.sku)).toEqual(tied.filter((sku) => Number(sku.slice(3)) % 2 === 0).slice(0, 2));
    const byPrice = await expectToolOk<{ items: Array<{ sku: string }> }>(client, 'product_search', { query: 'quillon', sort: 'price_asc', limit: 2 });
    expect(byPrice.items.map((item) => item.sku)).toEqual(['QL-000050', 'QL-000100']);
  });
});
