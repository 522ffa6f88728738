import { sql } from 'kysely';
import type { Kysely, Selectable } from 'kysely';
import type { ProductStatus } from '@mcpfed/contract-product';
import { prefixPattern } from '@mcpfed/db';
import type { ProductDatabase } from '../../store/product-database.ts';
import type { ProductsTable } from './catalog-tables.ts';
import type { ProductUpsertRow } from './product-bulk-store.ts';
import { productNotFound } from './product-not-found.ts';

/** A `products` row as the service sees it (the search vector left out). */
export type ProductRow = Omit<Selectable<ProductsTable>, 'search_vector'>;

/** A product with the units available over all its locations (lists). */
export interface ProductWithAvailability extends ProductRow {
  available: number;
}

/** One price of a product's history. */
export interface PriceChangeRow {
  price_amount: number;
  currency: string;
  changed_at: Date;
  changed_by: string;
  reason: string | null;
}

/** Values of a new product (created now). */
export type NewProductRow = Omit<ProductUpsertRow, 'created_at'>;

/** Catalog columns an update may set. */
export interface ProductPatch {
  name?: string;
  brand?: string | null;
  category?: string;
  description?: string | null;
  attributes?: Record<string, unknown>;
  status?: ProductStatus;
}

/** Product counts of one category by status (catalog://categories). */
export interface CategoryCountRow {
  category: string;
  active: number;
  draft: number;
  archived: number;
}

/** Every column of ProductRow, qualified, for selects. */
export const PRODUCT_COLUMNS = [
  'p.sku',
  'p.name',
  'p.brand',
  'p.category',
  'p.description',
  'p.status',
  'p.price_amount',
  'p.currency',
  'p.attributes',
  'p.version',
  'p.created_at',
  'p.updated_at',
  'p.archived_at',
] as const;

const RETURNING = [
  'sku',
  'name',
  'brand',
  'category',
  'description',
  'status',
  'price_amount',
  'currency',
  'attributes',
  'version',
  'created_at',
  'updated_at',
  'archived_at',
] as const;

/** Repository of `products` and `product_price_history`. All catalog SQL except search and imports lives here. */
export class ProductStore {
  readonly #db: Kysely<ProductDatabase>;
  readonly #signal: AbortSignal;

  constructor(db: Kysely<ProductDatabase>, signal: AbortSignal) {
    this.#db = db;
    this.#signal = signal;
  }

  /** The row without a lock. */
  async find(sku: string): Promise<ProductRow | undefined> {
    return this.#db.selectFrom('products as p').select(PRODUCT_COLUMNS).where('p.sku', '=', sku).executeTakeFirst({ signal: this.#signal });
  }

  /** The row, locked until the transaction ends (`FOR UPDATE`): the read of every version check. */
  async lock(sku: string): Promise<ProductRow | undefined> {
    return this.#db.selectFrom('products as p').select(PRODUCT_COLUMNS).where('p.sku', '=', sku).forUpdate().executeTakeFirst({ signal: this.#signal });
  }

  /** The products of these SKUs (in no particular order) with their available units. */
  async findMany(skus: readonly string[]): Promise<ProductWithAvailability[]> {
    if (skus.length === 0) return [];
    const rows = await this.#db
      .selectFrom('products as p')
      .select(PRODUCT_COLUMNS)
      .select(sql<number>`(SELECT coalesce(sum(l.available), 0)::int FROM inventory_levels l WHERE l.sku = p.sku)`.as('available'))
      .where('p.sku', '=', sql<string>`ANY(${[...skus]}::text[])`)
      .execute({ signal: this.#signal });
    return rows;
  }

  /**
   * Inserts a product and the first entry of its price history unless the SKU exists; returns undefined when it
   * does. `ON CONFLICT DO NOTHING` keeps the caller's transaction usable, unlike catching a unique violation.
   */
  async insert(values: NewProductRow, actor: string): Promise<ProductRow | undefined> {
    const row = await this.#db
      .insertInto('products')
      .values({ ...values, attributes: JSON.stringify(values.attributes) })
      .onConflict((oc) => oc.column('sku').doNothing())
      .returning(RETURNING)
      .executeTakeFirst({ signal: this.#signal });
    if (row !== undefined) await this.#recordPrice(row, actor, null);
    return row;
  }

  /** Applies a patch, increments the version and stamps updated_at (and archived_at on archiving). Call after {@link lock}. */
  async update(sku: string, patch: ProductPatch): Promise<ProductRow> {
    const { attributes, ...rest } = patch;
    return this.#db
      .updateTable('products')
      .set({
        ...rest,
        ...(attributes === undefined ? {} : { attributes: JSON.stringify(attributes) }),
        ...(patch.status === undefined ? {} : { archived_at: patch.status === 'archived' ? sql<Date>`now()` : null }),
        version: sql<number>`version + 1`,
        updated_at: sql<Date>`now()`,
      })
      .where('sku', '=', sku)
      .returning(RETURNING)
      .executeTakeFirstOrThrow({ signal: this.#signal, errorConstructor: () => productNotFound(sku) });
  }

  /** Sets the price, increments the version and appends the price to the history. Call after {@link lock}. */
  async setPrice(sku: string, price: { amount: number; currency: string }, actor: string, reason: string | null): Promise<ProductRow> {
    const row = await this.#db
      .updateTable('products')
      .set({ price_amount: price.amount, currency: price.currency, version: sql<number>`version + 1`, updated_at: sql<Date>`now()` })
      .where('sku', '=', sku)
      .returning(RETURNING)
      .executeTakeFirstOrThrow({ signal: this.#signal, errorConstructor: () => productNotFound(sku) });
    await this.#recordPrice(row, actor, reason);
    return row;
  }

  /** The latest prices of a product, newest first. */
  async priceHistory(sku: string, limit: number): Promise<PriceChangeRow[]> {
    return this.#db
      .selectFrom('product_price_history')
      .select(['price_amount', 'currency', 'changed_at', 'changed_by', 'reason'])
      .where('sku', '=', sku)
      .orderBy('id', 'desc')
      .limit(limit)
      .execute({ signal: this.#signal });
  }

  /** Up to `limit` SKUs starting with `prefix`, in SKU order: a range scan of `products_sku_prefix`, never a full scan. */
  async skusByPrefix(prefix: string, limit: number): Promise<string[]> {
    const rows = await this.#db
      .selectFrom('products')
      .select('sku')
      .where('sku', 'like', prefixPattern(prefix))
      .orderBy('sku')
      .limit(limit)
      .execute({ signal: this.#signal });
    return rows.map((row) => row.sku);
  }

  /** Every category with its product counts by status, by category slug. */
  async categoryCounts(): Promise<CategoryCountRow[]> {
    return this.#db
      .selectFrom('products')
      .select((eb) => [
        'category',
        sql<number>`count(*) FILTER (WHERE status = 'active')::int`.as('active'),
        sql<number>`count(*) FILTER (WHERE status = 'draft')::int`.as('draft'),
        sql<number>`count(*) FILTER (WHERE status = 'archived')::int`.as('archived'),
        eb.fn.countAll().as('total'),
      ])
      .groupBy('category')
      .orderBy('category')
      .execute({ signal: this.#signal })
      .then((rows) => rows.map(({ total: _total, ...row }) => row));
  }

  async #recordPrice(row: ProductRow, actor: string, reason: string | null): Promise<void> {
    await this.#db
      .insertInto('product_price_history')
      .values({ sku: row.sku, price_amount: row.price_amount, currency: row.currency, changed_at: row.updated_at, changed_by: actor, reason })
      .execute({ signal: this.#signal });
  }
}
