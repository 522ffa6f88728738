import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '@mcpfed/testing';
import type { TestDatabase } from '@mcpfed/testing';
import { productMigrations } from '../migrations/index.ts';
import { CatalogService } from '../src/catalog/service/catalog-service.ts';
import type { ProductDatabase } from '../src/store/product-database.ts';
import { generateProduct } from '../src/seed/generate-products.ts';
import { DEMO_PRODUCT_COUNT, seedProducts } from '../src/seed/seed-products.ts';

let database: TestDatabase<ProductDatabase>;

beforeAll(async () => {
  database = await createTestDatabase<ProductDatabase>({ name: 'product', migrations: productMigrations });
});

afterAll(async () => {
  await database?.drop();
});

describe('seeds', () => {
  it('generates the same product for the same number on every run', () => {
    expect(generateProduct('bulk', 42)).toEqual(generateProduct('bulk', 42));
    expect(generateProduct('bulk', 42).sku).toMatch(/^[A-Z]{2}-0000042$/);
    expect(generateProduct('demo', 42).sku).toMatch(/^[A-Z]{2}-D0042$/);
    expect(generateProduct('demo', 42)).not.toEqual(generateProduct('bulk', 42));
  });

  it('inserts the demo catalog with prices and stock, and a second run changes nothing', async () => {
    const first = await seedProducts(database.db, { series: 'demo', count: DEMO_PRODUCT_COUNT, batchSize: 120 });
    expect(first.products).toBe(DEMO_PRODUCT_COUNT);
    const counts = await sql<{ products: number; history: number; stocked: number; levels: number }>`
      SELECT (SELECT count(*)::int FROM products) AS products,
             (SELECT count(*)::int FROM product_price_history) AS history,
             (SELECT count(DISTINCT sku)::int FROM inventory_levels) AS stocked,
             (SELECT count(*)::int FROM inventory_levels) AS levels`.execute(database.db);
    expect(counts.rows[0]).toEqual({ products: DEMO_PRODUCT_COUNT, history: DEMO_PRODUCT_COUNT, stocked: DEMO_PRODUCT_COUNT, levels: first.levels });
    expect(first.levels).toBeGreaterThanOrEqual(DEMO_PRODUCT_COUNT);

    const again = await seedProducts(database.db, { series: 'demo', count: DEMO_PRODUCT_COUNT });
    expect(again).toEqual({ products: 0, levels: 0 });
  });

  it('makes the demo catalog searchable, wireless headphones included', async () => {
    const page = await new CatalogService(database.db).search(
      { query: 'wirelss headphnes', limit: 5, facets: false },
      { signal: new AbortController().signal },
    );
    expect(page.items.length).toBe(5);
    for (const item of page.items) expect(item.name).toMatch(/Wireless.*Headphones/);
  });
});
