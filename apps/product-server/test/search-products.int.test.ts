import { createHash } from 'node:crypto';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectToolError, expectToolOk } from '@mcpfed/testing';
import { seedInventory } from '../src/inventory/index.ts';
import { startProductTestServer } from './catalog-fixtures.ts';
import type { ProductTestServer } from './catalog-fixtures.ts';

interface Item {
  sku: string;
  name: string;
  category: string;
  status: string;
  price: { amount: number; currency: string };
  available: number;
  in_stock: boolean;
  relevance: number | null;
}
interface Page {
  items: Item[];
  next_cursor: string | null;
  facets: { categories: Array<{ category: string; count: number }>; total: number; exact: boolean } | null;
  query_terms: Array<{ term: string; corrections: string[] }>;
  ignored_terms: string[];
}

let server: ProductTestServer;
let client: Client;

const PRODUCTS = [
  {
    sku: 'HP-1',
    name: 'Auralis Wireless Headphones Q45 - Black',
    brand: 'Auralis',
    category: 'headphones',
    price: 12999,
    description: 'Closed-back over-ear headphones.',
  },
  { sku: 'HP-2', name: 'Sonvio Wireless Noise Cancelling Headphones 700 - Silver', brand: 'Sonvio', category: 'headphones', price: 34999 },
  { sku: 'HP-3', name: 'Kestrel Wired Headphones K1 - Black', brand: 'Kestrel', category: 'headphones', price: 2999 },
  { sku: 'EB-1', name: 'Auralis Wireless Earbuds Pro - White', brand: 'Auralis', category: 'earbuds', price: 9999 },
  {
    sku: 'SP-1',
    name: 'Nordlys Portable Speaker',
    brand: 'Nordlys',
    category: 'speakers',
    price: 4999,
    description: 'Pairs with wireless headphones and phones.',
  },
  { sku: 'KB-1', name: 'Vantor Mechanical Keyboard', brand: 'Vantor', category: 'keyboards', price: 8999 },
  { sku: 'US-1', name: 'Auralis Wireless Headphones Q45 US', brand: 'Auralis', category: 'headphones', price: 14999, currency: 'USD' },
  { sku: 'HP-DRAFT', name: 'Auralis Wireless Headphones Prototype', brand: 'Auralis', category: 'headphones', price: 1, status: 'draft' },
];

async function search(args: Record<string, unknown>): Promise<Page> {
  return expectToolOk<Page>(client, 'product_search', args);
}

/** Every page of a search, following next_cursor. */
async function allPages(args: Record<string, unknown>): Promise<Item[]> {
  const items: Item[] = [];
  let cursor: string | null = null;
  for (let pages = 0; pages < 50; pages++) {
    const page: Page = await search({ ...args, ...(cursor === null ? {} : { cursor }) });
    items.push(...page.items);
    cursor = page.next_cursor;
    if (cursor === null) return items;
  }
  throw new Error('too many pages');
}

beforeAll(async () => {
  server = await startProductTestServer();
  client = await server.connect(['product:read', 'product:write'], 'search-user');
  for (const product of PRODUCTS) {
    await expectToolOk(client, 'product_create', {
      sku: product.sku,
      name: product.name,
      brand: product.brand,
      category: product.category,
      ...(product.description === undefined ? {} : { description: product.description }),
      price: { amount: product.price, currency: product.currency ?? 'EUR' },
      status: product.status ?? 'active',
    });
  }
  await expectToolOk(client, 'product_create', {
    sku: 'HP-OLD',
    name: 'Auralis Wireless Headphones Q30',
    category: 'headphones',
    price: { amount: 5000, currency: 'EUR' },
  });
  await expectToolOk(client, 'product_archive', { sku: 'HP-OLD' });
  // Cables for paging: prices repeat (every price three times) so keyset ties must break on the SKU.
  for (let i = 0; i < 45; i++) {
    await expectToolOk(client, 'product_create', {
      sku: `CB-${String(i).padStart(3, '0')}`,
      name: `Braided USB-C Cable ${i % 2 === 0 ? '1 m' : '2 m'}`,
      category: 'cables',
      price: { amount: 500 + Math.floor(i / 3) * 100, currency: 'EUR' },
    });
  }
  await seedInventory(server.database.db, [
    { sku: 'HP-1', location: 'BER-1', on_hand: 5 },
    { sku: 'HP-2', location: 'BER-1', on_hand: 0 },
    { sku: 'HP-3', location: 'HAM-1', on_hand: 2 },
  ]);
});

afterAll(async () => {
  await server?.close();
});

describe('typo tolerance and ranking', () => {
  it('reads "wirelss headphnes" as wireless headphones and ranks name matches above a description match', async () => {
    const page = await search({ query: 'wirelss headphnes' });
    expect(page.query_terms).toEqual([
      { term: 'wirelss', corrections: ['wireless'] },
      { term: 'headphnes', corrections: ['headphones'] },
    ]);
    expect(page.ignored_terms).toEqual([]);
    // Wired headphones do not match "wireless"; the draft, the archived and nothing else either. HP-1, HP-2 and US-1
    // have both words in their names (tier 5, in the order of product_shuffle: US-1 255, HP-1 784, HP-2 1060); SP-1
    // has them in its description only (tier 1).
    expect(page.items.map((item) => item.sku)).toEqual(['US-1', 'HP-1', 'HP-2', 'SP-1']);
    expect(page.items.map((item) => item.relevance)).toEqual([5, 5, 5, 1]);
  });

  it('gives exactly typed words no corrections and corrects a transposed brand', async () => {
    const exact = await search({ query: 'wireless headphones' });
    expect(exact.query_terms).toEqual([
      { term: 'wireless', corrections: [] },
      { term: 'headphones', corrections: [] },
    ]);
    expect(exact.items.map((item) => item.sku)).toEqual(['US-1', 'HP-1', 'HP-2', 'SP-1']);
    const brand = await search({ query: 'auarlis earbuds' });
    expect(brand.query_terms[0]).toEqual({ term: 'auarlis', corrections: ['auralis'] });
    expect(brand.items.map((item) => item.sku)).toEqual(['EB-1']);
  });

  it('matches stems and SKUs', async () => {
    expect((await search({ query: 'headphone kestrel' })).items.map((item) => item.sku)).toEqual(['HP-3']);
    expect((await search({ query: 'KB-1' })).items.map((item) => item.sku)).toEqual(['KB-1']);
  });

  it('drops words no product contains and says so', async () => {
    const page = await search({ query: 'mechanical keyboard purple' });
    expect(page.items.map((item) => item.sku)).toEqual(['KB-1']);
    expect(page.ignored_terms).toEqual(['purple']);
    expect(page.query_terms.map((term) => term.term)).toEqual(['mechanical', 'keyboard']);
    const nothing = await search({ query: 'zzqx wwvk' });
    expect(nothing).toMatchObject({ items: [], next_cursor: null, ignored_terms: ['zzqx', 'wwvk'], query_terms: [] });
  });

  it('learns new words when products change (the lexicon follows every write)', async () => {
    expect(await search({ query: 'zephyrion' })).toMatchObject({ items: [], ignored_terms: ['zephyrion'] });
    await expectToolOk(client, 'product_update', { sku: 'KB-1', expected_version: 1, changes: { name: 'Vantor Zephyrion Mechanical Keyboard' } });
    // The server's lexicon cache still says "unknown word" for zephyrion, but the word as typed always matches.
    const exact = await search({ query: 'zephyrion' });
    expect(exact.items.map((item) => item.sku)).toEqual(['KB-1']);
    const page = await search({ query: 'zephyrin' });
    expect(page.query_terms).toEqual([{ term: 'zephyrin', corrections: ['zephyrion'] }]);
    expect(page.items.map((item) => item.sku)).toEqual(['KB-1']);
  });
});

describe('filters', () => {
  it('filters by category, price range, currency, stock and status', async () => {
    const skus = async (args: Record<string, unknown>) => (await search({ query: 'headphones', ...args })).items.map((item) => item.sku).sort();
    expect(await skus({ filter: { category: 'headphones', max_price: 20000, currency: 'EUR' } })).toEqual(['HP-1', 'HP-3']);
    // Prices are compared within the currency only: 14999 USD is not "between 12999 and 14999 EUR".
    expect(await skus({ filter: { min_price: 12999, max_price: 14999, currency: 'EUR' } })).toEqual(['HP-1']);
    expect(await skus({ filter: { min_price: 12999, max_price: 14999, currency: 'USD' } })).toEqual(['US-1']);
    expect(await skus({ filter: { currency: 'USD' } })).toEqual(['US-1']);
    expect(await skus({ filter: { in_stock: true } })).toEqual(['HP-1', 'HP-3']);
    expect(await skus({ filter: { in_stock: false } })).toEqual(['HP-2', 'SP-1', 'US-1']);
    expect(await skus({ filter: { status: 'draft' } })).toEqual(['HP-DRAFT']);
    expect(await skus({ filter: { status: 'archived' } })).toEqual(['HP-OLD']);
    const stocked = (await search({ query: 'headphones', filter: { in_stock: true } })).items.find((item) => item.sku === 'HP-1');
    expect(stocked).toMatchObject({ available: 5, in_stock: true, price: { amount: 12999, currency: 'EUR' } });
  });

  it('refuses min_price above max_price', async () => {
    const error = await expectToolError(client, 'product_search', { query: 'headphones', filter: { min_price: 10, max_price: 5, currency: 'EUR' } });
    expect(error).toMatchObject({ code: 'VALIDATION_FAILED', details: { issues: [{ path: 'filter.min_price', message: 'greater than max_price' }] } });
  });

  it('refuses a price bound without a currency, with or without a query', async () => {
    for (const args of [
      { query: 'headphones', filter: { max_price: 20000 } },
      { filter: { min_price: 100 } },
      { filter: { min_price: 100, max_price: 200, category: 'cables' } },
    ]) {
      const error = await expectToolError(client, 'product_search', args);
      expect(error, JSON.stringify(args)).toMatchObject({
        code: 'VALIDATION_FAILED',
        details: { issues: [{ path: 'filter.currency', message: 'required with min_price or max_price' }] },
      });
    }
  });

  it('browses without a query, newest first by default', async () => {
    const page = await search({ filter: { category: 'headphones' }, limit: 100 });
    expect(page.items.map((item) => item.sku)).toEqual(['US-1', 'HP-3', 'HP-2', 'HP-1']);
    expect(page.items.every((item) => item.relevance === null)).toBe(true);
  });
});

describe('facets', () => {
  it('counts matches per category without applying the category filter, on the first page only', async () => {
    const page = await search({ query: 'wireless', filter: { category: 'headphones' }, facets: true, limit: 1 });
    expect(page.facets).toEqual({
      categories: [
        { category: 'headphones', count: 3 },
        { category: 'earbuds', count: 1 },
        { category: 'speakers', count: 1 },
      ],
      total: 5,
      exact: true,
    });
    expect(page.items.map((item) => item.category)).toEqual(['headphones']);
    const next = await search({ query: 'wireless', filter: { category: 'headphones' }, facets: true, limit: 1, cursor: page.next_cursor });
    expect(next.facets).toBeNull();
    expect((await search({ query: 'wireless' })).facets).toBeNull();
  });

  it('counts browse facets for price and stock filters too', async () => {
    const page = await search({ filter: { max_price: 1000, currency: 'EUR' }, facets: true });
    expect(page.facets).toEqual({ categories: [{ category: 'cables', count: 18 }], total: 18, exact: true });
  });
});

describe('keyset pagination', () => {
  const sorts = ['relevance', 'price_asc', 'price_desc', 'newest'] as const;

  it.each(sorts)('pages through every match once, in order (%s)', async (sort) => {
    const whole = await search({ query: 'usb cable', sort, limit: 100 });
    expect(whole.items).toHaveLength(45);
    expect(whole.next_cursor).toBeNull();
    const paged = await allPages({ query: 'usb cable', sort, limit: 7 });
    expect(paged.map((item) => item.sku)).toEqual(whole.items.map((item) => item.sku));
    expect(new Set(paged.map((item) => item.sku)).size).toBe(45);
    if (sort === 'price_asc') {
      expect(paged.map((item) => item.price.amount)).toEqual([...paged.map((item) => item.price.amount)].sort((a, b) => a - b));
      expect(paged.slice(0, 3).map((item) => item.sku)).toEqual(['CB-000', 'CB-001', 'CB-002']);
    }
    if (sort === 'price_desc') expect(paged.slice(0, 3).map((item) => item.sku)).toEqual(['CB-044', 'CB-043', 'CB-042']);
  });

  it('pages a browse without a query by price', async () => {
    const paged = await allPages({ filter: { category: 'cables' }, sort: 'price_asc', limit: 10 });
    expect(paged.map((item) => item.sku)).toEqual(Array.from({ length: 45 }, (_, index) => `CB-${String(index).padStart(3, '0')}`));
  });

  it('refuses a cursor from another search or a forged one', async () => {
    const page = await search({ query: 'usb cable', sort: 'price_asc', limit: 5 });
    expect(page.next_cursor).not.toBeNull();
    const other = await expectToolError(client, 'product_search', { query: 'usb cable', sort: 'price_desc', limit: 5, cursor: page.next_cursor });
    expect(other).toMatchObject({ code: 'VALIDATION_FAILED', details: { field: 'cursor' } });
    const forged = await expectToolError(client, 'product_search', { query: 'usb cable', cursor: 'not-a-cursor' });
    expect(forged).toMatchObject({ code: 'VALIDATION_FAILED', details: { field: 'cursor' } });
  });
});

describe('relevance over many matches', () => {
  it('ranks every match, so the best one comes first even when the index yields it last, and pages are stable', async () => {
    // 300 products mention the word in their description only; then one has it in its name. The bitmap scan yields
    // matches in table order, so the name match comes last: ranking only the first matches found would drop it.
    await sql`
      INSERT INTO products (sku, name, category, description, price_amount, currency)
      SELECT 'ZB-' || lpad(i::text, 4, '0'), 'Plain Gadget ' || i, 'gadgets', 'Works with the zorbatron dock.', 1000 + i, 'EUR'
        FROM generate_series(1, 300) AS i`.execute(server.database.db);
    await expectToolOk(client, 'product_create', { sku: 'ZB-BEST', name: 'Zorbatron Dock', category: 'gadgets', price: { amount: 9900, currency: 'EUR' } });
    const page = await search({ query: 'zorbatron', limit: 5 });
    // The 300 tie (tier 1): product_shuffle, the first 12 bits of the SKU's MD5, orders them, then the SKU.
    const shuffle = (sku: string) => Number.parseInt(createHash('md5').update(sku).digest('hex').slice(0, 3), 16);
    const tied = Array.from({ length: 300 }, (_, index) => `ZB-${String(index + 1).padStart(4, '0')}`).sort(
      (a, b) => shuffle(a) - shuffle(b) || (a < b ? -1 : 1),
    );
    expect(page.items.map((item) => item.sku)).toEqual(['ZB-BEST', ...tied.slice(0, 4)]);
    const paged = await allPages({ query: 'zorbatron', limit: 40 });
    expect(paged.map((item) => item.sku)).toEqual(['ZB-BEST', ...tied]);
  });
});
