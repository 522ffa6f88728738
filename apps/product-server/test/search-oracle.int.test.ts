import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectToolOk } from '@mcpfed/testing';
import { seedProducts } from '../src/seed/seed-products.ts';
import { startProductTestServer } from './catalog-fixtures.ts';
import type { ProductTestServer } from './catalog-fixtures.ts';

// product_search against a brute-force oracle: the documented ranking (README "Ranking", the tool's guide)
// computed for every product of a seeded catalog, sorted here, and compared with the first pages exactly.

interface Page {
  items: Array<{ sku: string; relevance: number | null }>;
  next_cursor: string | null;
  query_terms: Array<{ term: string; corrections: string[] }>;
  ignored_terms: string[];
}

const PAGE = 20;

let server: ProductTestServer;
let client: Client;

beforeAll(async () => {
  server = await startProductTestServer();
  client = await server.connect(['product:read'], 'oracle-user');
  // 4,000 generated products: 25 categories over one shared vocabulary (brands, colours, features), so broad words
  // match hundreds of products with many ties.
  await seedProducts(server.database.db, { series: 'bulk', count: 4000, batchSize: 1000 });
  // Strong matches written last, so they sit at the end of the table: ranking only the first matches found misses them.
  await sql`
    INSERT INTO products (sku, name, brand, category, description, price_amount, currency) VALUES
      ('AA-CABLE', 'Cable Cable Braided Cable', 'Cablex', 'cables', 'A cable for cables.', 999, 'EUR'),
      ('ZZ-WIRELESS', 'Wireless Wireless Headphones', 'Auralis', 'headphones', 'Wireless over-ear headphones, wireless.', 4999, 'EUR'),
      ('MM-BLACK', 'Black Black Speaker - Black', 'Kairo', 'speakers', 'Black.', 2999, 'EUR')`.execute(server.database.db);
}, 180_000);

afterAll(async () => {
  await server?.close();
});

/** Every active product matching the terms (and category), with its documented score, best first, then SKU. */
async function oracle(terms: Page['query_terms'], category?: string): Promise<Array<{ sku: string; score: number }>> {
  const match = terms.map((term) => `(${[term.term, ...term.corrections].join(' | ')})`).join(' & ');
  const preferred = terms.map((term) => (term.corrections[0] === undefined ? term.term : `${term.term} | ${term.corrections[0]}`)).join(' | ');
  const rows = await server.database.db.transaction().execute(async (trx) => {
    // A plain scan of the whole table: no index decides which products are looked at.
    await sql`SELECT set_config('enable_bitmapscan', 'off', true), set_config('enable_indexscan', 'off', true)`.execute(trx);
    const result = await sql<{ sku: string; score: number; matches: boolean }>`
      SELECT sku,
             ts_rank('{0.1, 0.2, 0.4, 1.0}'::float4[], search_vector, to_tsquery('english', ${match}), 0)::float8
               + 0.5 * ts_rank('{0.1, 0.2, 0.4, 1.0}'::float4[], search_vector, to_tsquery('english', ${preferred}), 0)::float8 AS score,
             search_vector @@ to_tsquery('english', ${match}) AS matches
        FROM products
       WHERE status = 'active' AND (${category ?? null}::text IS NULL OR category = ${category ?? null})`.execute(trx);
    return result.rows;
  });
  return rows
    .filter((row) => row.matches)
    .map(({ sku, score }) => ({ sku, score }))
    .sort((a, b) => b.score - a.score || (a.sku < b.sku ? -1 : a.sku > b.sku ? 1 : 0));
}

const rounded = (score: number) => Math.round(score * 10_000) / 10_000;

const CASES: Array<{ query: string; category?: string; minMatches: number }> = [
  { query: 'cable', minMatches: 300 },
  { query: 'wireless', minMatches: 500 },
  { query: 'black', minMatches: 300 },
  { query: 'headphones', minMatches: 200 },
  { query: 'wirelss headphnes', minMatches: 40 },
  { query: 'usb c cable', minMatches: 100 },
  { query: 'auralis headphones', minMatches: 5 },
  { query: 'kairo mechanical keyboard', minMatches: 1 },
  { query: 'wireless', category: 'headphones', minMatches: 40 },
];

describe('relevance ranking against a brute-force oracle', () => {
  it.each(CASES)(
    '"$query" (category $category): the first two pages are the oracle\'s first 2 x 20 products, in order',
    async ({ query, category, minMatches }) => {
      const filter = category === undefined ? {} : { filter: { category } };
      const first = await expectToolOk<Page>(client, 'product_search', { query, limit: PAGE, ...filter });
      expect(first.ignored_terms).toEqual([]);
      const expected = await oracle(first.query_terms, category);
      expect(expected.length).toBeGreaterThanOrEqual(minMatches);
      expect(first.items.map((item) => [item.sku, item.relevance])).toEqual(expected.slice(0, PAGE).map((row) => [row.sku, rounded(row.score)]));
      if (expected.length <= PAGE) {
        expect(first.next_cursor).toBeNull();
        return;
      }
      const second = await expectToolOk<Page>(client, 'product_search', { query, limit: PAGE, cursor: first.next_cursor, ...filter });
      expect(second.items.map((item) => [item.sku, item.relevance])).toEqual(expected.slice(PAGE, 2 * PAGE).map((row) => [row.sku, rounded(row.score)]));
      expect(second.next_cursor === null).toBe(expected.length <= 2 * PAGE);
    },
  );

  it('puts the strong matches written last first', async () => {
    for (const [query, sku] of [
      ['cable', 'AA-CABLE'],
      ['wireless', 'ZZ-WIRELESS'],
      ['black', 'MM-BLACK'],
    ] as const) {
      const page = await expectToolOk<Page>(client, 'product_search', { query, limit: 1 });
      expect(
        page.items.map((item) => item.sku),
        query,
      ).toEqual([sku]);
    }
  });
});
