import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectToolError, expectToolOk } from '@mcpfed/testing';
import { ProductBulkStore } from '../src/catalog/store/product-bulk-store.ts';
import { startProductTestServer } from './catalog-fixtures.ts';
import type { ProductTestServer } from './catalog-fixtures.ts';

// A relevance search cut short by the search pool's statement timeout is not worth repeating as it is. The products
// table is held locked while the search runs, so the ranking statement waits out the (short) timeout every time;
// the lexicon it reads first is another table and answers.

let server: ProductTestServer;
let client: Client;

beforeAll(async () => {
  server = await startProductTestServer({ searchStatementTimeoutMs: 300 });
  client = await server.connect(['product:read'], 'search-user');
  await sql`INSERT INTO products (sku, name, category, price_amount, currency) VALUES ('TMO-1', 'Quillon dagger', 'tools', 1200, 'EUR')`.execute(
    server.database.db,
  );
  await new ProductBulkStore(server.database.db, new AbortController().signal).refreshSearchIndex();
}, 120_000);

afterAll(async () => {
  await server?.close();
});

/** Runs `search` while another transaction holds the products table exclusively. */
async function whileProductsLocked<T>(search: () => Promise<T>): Promise<T> {
  return server.database.db.transaction().execute(async (trx) => {
    await sql`LOCK TABLE products IN ACCESS EXCLUSIVE MODE`.execute(trx);
    return search();
  });
}

describe('product_search over the statement timeout', () => {
  it('refuses a relevance search that cannot rank in time as not retryable, saying what to change; other sorts keep the generic TIMEOUT', async () => {
    expect((await expectToolOk<{ items: Array<{ sku: string }> }>(client, 'product_search', { query: 'quillon' })).items.map((item) => item.sku)).toEqual([
      'TMO-1',
    ]);
    const ranked = await whileProductsLocked(() => expectToolError(client, 'product_search', { query: 'quillon' }));
    expect(ranked).toEqual({
      code: 'TIMEOUT',
      message: 'Too many matches to rank in time: add words or filters, or sort by price or newest.',
      retryable: false,
    });
    const byPrice = await whileProductsLocked(() => expectToolError(client, 'product_search', { query: 'quillon', sort: 'price_asc' }));
    expect(byPrice).toEqual({ code: 'TIMEOUT', message: 'The database statement took too long and was cancelled.', retryable: true });
    // Nothing stays broken: the same search answers once the table is free.
    expect((await expectToolOk<{ items: Array<{ sku: string }> }>(client, 'product_search', { query: 'quillon' })).items.map((item) => item.sku)).toEqual([
      'TMO-1',
    ]);
  });
});
