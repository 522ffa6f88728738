import { createHash } from 'node:crypto';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectToolOk } from '@mcpfed/testing';
import { seedProducts } from '../src/seed/seed-products.ts';
import { startProductTestServer } from './catalog-fixtures.ts';
import type { ProductTestServer } from './catalog-fixtures.ts';

// product_search against a brute-force oracle: the documented ranking (README "Ranking", the tool's guide) worked
// out here for every product of a seeded catalog from a plain table scan that tests each product against the words
// field by field, sorted here, and compared with the first two pages exactly.

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
  // Matches written last, so they sit at the end of the table: a ranking that looks only at the first matches found
  // misses them. Their shuffles run against their tiers: AA-1 (description) lowest, MM-1 (name) highest.
  await sql`
    INSERT INTO products (sku, name, brand, category, description, price_amount, currency) VALUES
      ('MM-1', 'Quoxel Cable', 'Cablex', 'cables', 'A cable.', 999, 'EUR'),
      ('AA-1', 'Braided Cable', 'Cablex', 'cables', 'Works with any quoxel.', 999, 'EUR'),
      ('ZZ-1', 'Black Speaker', 'Quoxel', 'speakers', 'Black.', 2999, 'EUR')`.execute(server.database.db);
}, 180_000);

afterAll(async () => {
  await server?.close();
});

interface Filter {
  category?: string;
  max_price?: number;
  currency?: string;
  in_stock?: boolean;
}

/** The documented tie-break: the first 12 bits of the SKU's MD5, 0-4095. */
const shuffle = (sku: string) => Number.parseInt(createHash('md5').update(sku).digest('hex').slice(0, 3), 16);

/**
 * Every product of the status `active` matching the terms and filter, with its documented tier, in the documented
 * order: tier (2 x field + typed) highest first, then the shuffle of the SKU, then SKU ascending.
 */
async function oracle(terms: Page['query_terms'], filter: Filter): Promise<Array<{ sku: string; tier: number }>> {
  const group = (words: string[], weights = '') => `(${words.map((word) => `${word}${weights}`).join(' | ')})`;
  const match = terms.map((term) => group([term.term, ...term.corrections])).join(' & ');
  const typed = terms.map((term) => group([term.term, ...term.corrections.slice(0, 1)])).join(' & ');
  const name = terms.map((term) => group([term.term, ...term.corrections], ':A')).join(' & ');
  const fields = terms.map((term) => group([term.term, ...term.corrections], ':AB')).join(' & ');
  const rows = await server.database.db.transaction().execute(async (trx) => {
    // A plain scan of the whole table: no index decides which products are looked at.
    await sql`SELECT set_config('enable_bitmapscan', 'off', true), set_config('enable_indexscan', 'off', true)`.execute(trx);
    const result = await sql<{ sku: string; matches: boolean; typed: boolean; name: boolean; fields: boolean; available: number }>`
      SELECT p.sku, p.category, p.price_amount, p.currency,
             p.search_vector @@ to_tsquery('english', ${match}) AS matches,
             p.search_vector @@ to_tsquery('english', ${typed}) AS typed,
             p.search_vector @@ to_tsquery('english', ${name}) AS name,
             p.search_vector @@ to_tsquery('english', ${fields}) AS fields,
             coalesce(s.available, 0)::int AS available
        FROM products p
        LEFT JOIN (SELECT l.sku, sum(l.available) AS available FROM inventory_levels l GROUP BY l.sku) AS s ON s.sku = p.sku
       WHERE p.status = 'active'
         AND (${filter.category ?? null}::text IS NULL OR p.category = ${filter.category ?? null})
         AND (${filter.max_price ?? null}::int IS NULL OR p.price_amount <= ${filter.max_price ?? null})
         AND (${filter.currency ?? null}::text IS NULL OR p.currency = ${filter.currency ?? null})`.execute(trx);
    return result.rows;
  });
  return rows
    .filter((row) => row.matches && (filter.in_stock === undefined || row.available > 0 === filter.in_stock))
    .map((row) => ({ sku: row.sku, shuffle: shuffle(row.sku), tier: 2 * (row.name ? 2 : row.fields ? 1 : 0) + (row.typed ? 1 : 0) }))
    .sort((a, b) => b.tier - a.tier || a.shuffle - b.shuffle || (a.sku < b.sku ? -1 : a.sku > b.sku ? 1 : 0))
    .map(({ sku, tier }) => ({ sku, tier }));
}

const CASES: Array<{ query: string; filter?: Filter; minMatches: number }> = [
  { query: 'cable', minMatches: 300 },
  { query: 'wireless', minMatches: 500 },
  { query: 'black', minMatches: 300 },
  { query: 'headphones', minMatches: 200 },
  { query: 'quoxel', minMatches: 3 },
  { query: 'wirelss headphnes', minMatches: 40 },
  { query: 'blak cabel', minMatches: 20 },
  { query: 'usb c cable', minMatches: 100 },
  { query: 'auralis headphones', minMatches: 5 },
  { query: 'kairo mechanical keyboard', minMatches: 1 },
  { query: 'wireless', filter: { category: 'headphones' }, minMatches: 40 },
  { query: 'black', filter: { max_price: 5000, currency: 'EUR', in_stock: true }, minMatches: 40 },
  { query: 'wirelss', filter: { in_stock: false }, minMatches: 20 },
];

describe('relevance ranking against a brute-force oracle', () => {
  it.each(CASES)('"$query" ($filter): the first two pages are the oracle\'s first 2 x 20 products, in order', async ({ query, filter, minMatches }) => {
    const args = filter === undefined ? {} : { filter };
    const first = await expectToolOk<Page>(client, 'product_search', { query, limit: PAGE, ...args });
    expect(first.ignored_terms).toEqual([]);
    const expected = await oracle(first.query_terms, filter ?? {});
    expect(expected.length).toBeGreaterThanOrEqual(minMatches);
    expect(first.items.map((item) => [item.sku, item.relevance])).toEqual(expected.slice(0, PAGE).map((row) => [row.sku, row.tier]));
    if (expected.length <= PAGE) {
      expect(first.next_cursor).toBeNull();
      return;
    }
    const second = await expectToolOk<Page>(client, 'product_search', { query, limit: PAGE, cursor: first.next_cursor, ...args });
    expect(second.items.map((item) => [item.sku, item.relevance])).toEqual(expected.slice(PAGE, 2 * PAGE).map((row) => [row.sku, row.tier]));
    expect(second.next_cursor === null).toBe(expected.length <= 2 * PAGE);
  });

  it('puts a name match first, then brand, then description, whatever their shuffle', async () => {
    expect(shuffle('AA-1')).toBeLessThan(shuffle('ZZ-1'));
    expect(shuffle('ZZ-1')).toBeLessThan(shuffle('MM-1'));
    const page = await expectToolOk<Page>(client, 'product_search', { query: 'quoxel', limit: 3 });
    expect(page.items.map((item) => [item.sku, item.relevance])).toEqual([
      ['MM-1', 5],
      ['ZZ-1', 3],
      ['AA-1', 1],
    ]);
  });

  it("walks every tier through the cursor: all matches once, in the oracle's order", async () => {
    const all: Array<{ sku: string; relevance: number | null }> = [];
    let cursor: string | null = null;
    let terms: Page['query_terms'] = [];
    do {
      const page: Page = await expectToolOk<Page>(client, 'product_search', { query: 'wirelss headphnes', limit: 50, ...(cursor === null ? {} : { cursor }) });
      terms = page.query_terms;
      all.push(...page.items);
      cursor = page.next_cursor;
    } while (cursor !== null);
    expect(all.map((item) => [item.sku, item.relevance])).toEqual((await oracle(terms, {})).map((row) => [row.sku, row.tier]));
  });
});
