import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import type { InventoryTables } from './inventory-tables.ts';

/** What inventory reads of a catalog product. */
export interface ProductPriceRow {
  sku: string;
  status: string;
  /** Integer minor units. */
  price_amount: number;
  currency: string;
}

/**
 * Reads the catalog's `products` table (same database, owned by the catalog part of this server): which skus
 * exist, whether they are active, and their price. Inventory never writes it.
 */
export class ProductPriceStore {
  readonly #db: Kysely<InventoryTables>;
  readonly #signal: AbortSignal;

  constructor(db: Kysely<InventoryTables>, signal: AbortSignal) {
    this.#db = db;
    this.#signal = signal;
  }

  /** The products of these skus (missing skus are simply absent). */
  async find(skus: readonly string[]): Promise<Map<string, ProductPriceRow>> {
    if (skus.length === 0) return new Map();
    const result = await sql<{ sku: string; status: string; price_amount: string; currency: string }>`
      SELECT sku, status, price_amount::text AS price_amount, currency
      FROM products WHERE sku = ANY(${[...skus]}::text[])`.execute(this.#db, { signal: this.#signal });
    return new Map(result.rows.map((row) => [row.sku, { ...row, price_amount: Number(row.price_amount) }]));
  }
}
