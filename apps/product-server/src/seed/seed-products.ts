import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import { refreshSearchIndex } from '../catalog/store/search-maintenance.ts';
import { upsertProducts } from '../catalog/store/product-upsert.ts';
import { seedInventory } from '../inventory/index.ts';
import type { SeedStockLevel } from '../inventory/index.ts';
import type { ProductDatabase } from '../product-database.ts';
import { generateProduct, generateStock } from './generate-products.ts';
import type { ProductSeries } from './generate-products.ts';

/** The deterministic demo catalog's size. */
export const DEMO_PRODUCT_COUNT = 500;

/** Options of {@link seedProducts}. */
export interface SeedProductsOptions {
  /** Which numbering (demo: `HP-D0001`..., bulk: `HP-0000001`...). */
  series: ProductSeries;
  /** Products numbered 1..count. */
  count: number;
  /** Products per statement. Default 5000. */
  batchSize?: number;
  /** Called after each batch with the products done so far. */
  onProgress?: (done: number, total: number) => void;
}

/** What a seed run wrote. */
export interface SeedProductsResult {
  /** Products inserted (existing SKUs are left as they are). */
  products: number;
  /** Stock levels inserted (through the inventory part's seeder, with their ledger rows). */
  levels: number;
}

/**
 * Inserts generated products 1..count of a series with their price history and stock at one to three
 * warehouses, in batches. Every product is a pure function of its number, so the same count gives the same
 * catalog on every machine. Safe to run twice: existing products and levels are kept, not overwritten.
 */
export async function seedProducts(db: Kysely<ProductDatabase>, options: SeedProductsOptions): Promise<SeedProductsResult> {
  const batchSize = options.batchSize ?? 5000;
  const result: SeedProductsResult = { products: 0, levels: 0 };
  for (let from = 1; from <= options.count; from += batchSize) {
    const to = Math.min(options.count, from + batchSize - 1);
    const products = [];
    const levels: SeedStockLevel[] = [];
    for (let n = from; n <= to; n++) {
      const product = generateProduct(options.series, n);
      products.push(product);
      for (const stock of generateStock(options.series, n)) levels.push({ sku: product.sku, location: stock.location, on_hand: stock.on_hand });
    }
    const written = await upsertProducts(db, products, 'system:seed', { existing: 'keep' });
    const stocked = await seedInventory(db, levels, { batchSize: levels.length });
    result.products += written.inserted;
    result.levels += stocked.levels;
    options.onProgress?.(to, options.count);
  }
  await refreshSearchIndex(db);
  // The planner needs the levels' statistics for the in-stock filter and the availability of each hit.
  await sql`ANALYZE inventory_levels`.execute(db);
  return result;
}
