import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import { ProductBulkStore } from '../catalog/store/product-bulk-store.ts';
import { seedInventory } from '../inventory/index.ts';
import type { SeedStockLevel } from '../inventory/index.ts';
import type { ProductDatabase } from '../store/product-database.ts';
import { generateProduct, generateStock } from './generate-products.ts';
import type { ProductSeries } from './generate-products.ts';

// A seed runs to its end; stopping the command stops it.
const SEED_SIGNAL = new AbortController().signal;

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
  /** Batches written at once, each on its own connection (the pool needs that many). Default 1. */
  parallel?: number;
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
  let next = 1;
  let done = 0;
  // Batches are independent (distinct SKUs); each adds its lexicon words first, so batches written side by side
  // never wait on each other's new words.
  const seedBatches = async (): Promise<void> => {
    while (next <= options.count) {
      const from = next;
      const to = Math.min(options.count, from + batchSize - 1);
      next = to + 1;
      const written = await seedBatch(db, options.series, from, to);
      result.products += written.products;
      result.levels += written.levels;
      done += to - from + 1;
      options.onProgress?.(done, options.count);
    }
  };
  await Promise.all(Array.from({ length: options.parallel ?? 1 }, seedBatches));
  await new ProductBulkStore(db, SEED_SIGNAL).refreshSearchIndex();
  // The planner needs the levels' statistics for the in-stock filter and the availability of each hit.
  await sql`ANALYZE inventory_levels`.execute(db);
  return result;
}

async function seedBatch(db: Kysely<ProductDatabase>, series: ProductSeries, from: number, to: number): Promise<SeedProductsResult> {
  const products = [];
  const levels: SeedStockLevel[] = [];
  for (let n = from; n <= to; n++) {
    const product = generateProduct(series, n);
    products.push(product);
    for (const stock of generateStock(series, n)) levels.push({ sku: product.sku, location: stock.location, on_hand: stock.on_hand });
  }
  const bulk = new ProductBulkStore(db, SEED_SIGNAL);
  await bulk.addLexiconWords(products);
  const written = await bulk.upsert(products, 'system:seed', { existing: 'keep' });
  const stocked = await seedInventory(db, levels, { batchSize: levels.length });
  return { products: written.inserted, levels: stocked.levels };
}
