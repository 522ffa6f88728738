import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import type { ProductStatus } from '@mcpfed/contract-product';
import type { ProductDatabase } from '../../store/product-database.ts';

/** One complete product as an import (or a seed) states it. */
export interface ProductUpsertRow {
  sku: string;
  name: string;
  brand: string | null;
  category: string;
  description: string | null;
  status: ProductStatus;
  price_amount: number;
  currency: string;
  attributes: Record<string, unknown>;
  /** When the product was created (seeds spread it); default now. Ignored for existing products. */
  created_at?: string | undefined;
}

/** Options of {@link ProductBulkStore.upsert}. */
export interface UpsertOptions {
  /** `update` (default): make existing products match the rows. `keep`: leave existing products alone (seeds). */
  existing?: 'update' | 'keep';
}

/** What one {@link ProductBulkStore.upsert} statement did. */
export interface UpsertResult {
  inserted: number;
  updated: number;
  /** Rows identical to the stored product: nothing written, version unchanged. */
  unchanged: number;
}

/** Repository of the catalog's bulk writes (imports and seeds): many products per statement, the lexicon ahead of them, index upkeep after. */
export class ProductBulkStore {
  readonly #db: Kysely<ProductDatabase>;
  readonly #signal: AbortSignal;

  constructor(db: Kysely<ProductDatabase>, signal: AbortSignal) {
    this.#db = db;
    this.#signal = signal;
  }

  /**
   * Creates or updates products in one statement (unnest arrays keep it to ten parameters whatever the batch
   * size). A row equal to the stored product writes nothing, so re-running an import converges on the same state,
   * versions included; a changed row increments the version, and a new or changed price enters the price history
   * with `actor` as changed_by. Rows must have distinct SKUs (ON CONFLICT cannot touch a row twice).
   */
  async upsert(rows: readonly ProductUpsertRow[], actor: string, options: UpsertOptions = {}): Promise<UpsertResult> {
    if (rows.length === 0) return { inserted: 0, updated: 0, unchanged: 0 };
    const onConflict =
      options.existing === 'keep'
        ? sql`DO NOTHING`
        : sql`DO UPDATE
           SET name = excluded.name, brand = excluded.brand, category = excluded.category, description = excluded.description,
               status = excluded.status, price_amount = excluded.price_amount, currency = excluded.currency,
               attributes = excluded.attributes, version = p.version + 1, updated_at = now(),
               archived_at = CASE WHEN excluded.status = 'archived' THEN coalesce(p.archived_at, now()) END
         WHERE (p.name, p.brand, p.category, p.description, p.status, p.price_amount, p.currency, p.attributes)
               IS DISTINCT FROM
               (excluded.name, excluded.brand, excluded.category, excluded.description, excluded.status, excluded.price_amount,
                excluded.currency, excluded.attributes)`;
    const column = <K extends keyof ProductUpsertRow>(key: K) => rows.map((row) => row[key] ?? null);
    // `before` and `written` read the same snapshot: `before` holds the prices as they were.
    const result = await sql<{ inserted: number; updated: number }>`
      WITH input AS (
        SELECT * FROM unnest(${column('sku')}::text[], ${column('name')}::text[], ${column('brand')}::text[], ${column('category')}::text[],
                             ${column('description')}::text[], ${column('status')}::text[], ${column('price_amount')}::int[],
                             ${column('currency')}::text[], ${rows.map((row) => JSON.stringify(row.attributes))}::jsonb[],
                             ${column('created_at')}::timestamptz[])
          AS t(sku, name, brand, category, description, status, price_amount, currency, attributes, created_at)
      ), before AS (
        SELECT p.sku, p.price_amount, p.currency FROM products p JOIN input i ON i.sku = p.sku
      ), written AS (
        INSERT INTO products AS p (sku, name, brand, category, description, status, price_amount, currency, attributes,
                                   created_at, updated_at, archived_at)
        SELECT sku, name, brand, category, description, status, price_amount, currency, attributes,
               coalesce(created_at, now()), coalesce(created_at, now()),
               CASE WHEN status = 'archived' THEN coalesce(created_at, now()) END
          FROM input
        ON CONFLICT (sku) ${onConflict}
        RETURNING p.sku, p.price_amount, p.currency, p.updated_at, (p.xmax = 0) AS inserted
      ), prices AS (
        INSERT INTO product_price_history (sku, price_amount, currency, changed_at, changed_by)
        SELECT w.sku, w.price_amount, w.currency, w.updated_at, ${actor}
          FROM written w LEFT JOIN before b ON b.sku = w.sku
         WHERE b.sku IS NULL OR (b.price_amount, b.currency) IS DISTINCT FROM (w.price_amount, w.currency)
        RETURNING 1
      )
      SELECT count(*) FILTER (WHERE inserted)::int AS inserted, count(*) FILTER (WHERE NOT inserted)::int AS updated
        FROM written`.execute(this.#db, { signal: this.#signal });
    const counts = result.rows[0] ?? { inserted: 0, updated: 0 };
    return { inserted: counts.inserted, updated: counts.updated, unchanged: rows.length - counts.inserted - counts.updated };
  }

  /**
   * Adds the lexicon words of these rows (`product_words_of`, the rule the triggers of `products` apply) in a
   * statement of its own, before the rows are written. The triggers then find every word already committed, so a
   * batch holds no lock on a new word that a batch written beside it also adds. Words of rows that are never
   * written stay, as the words of a renamed product do: the lexicon only grows.
   * Sorted, so two such statements lock shared new words in the same order.
   */
  async addLexiconWords(rows: readonly ProductUpsertRow[]): Promise<void> {
    if (rows.length === 0) return;
    await sql`
      INSERT INTO product_words (word)
      SELECT DISTINCT w.word
        FROM unnest(${rows.map((row) => row.name)}::text[], ${rows.map((row) => row.brand)}::text[], ${rows.map((row) => row.category)}::text[]) AS r(name, brand, category),
             product_words_of(r.name, r.brand, r.category) AS w(word)
       ORDER BY w.word
      ON CONFLICT DO NOTHING`.execute(this.#db, { signal: this.#signal });
  }

  /**
   * Moves the search index's pending entries into the index proper and refreshes the planner's statistics after a
   * bulk write. GIN's fast-update list makes inserts cheap but every search scans it linearly until VACUUM (or this)
   * merges it: a few MB of pending entries cost a search more than the whole indexed lookup.
   */
  async refreshSearchIndex(): Promise<void> {
    await sql`SELECT gin_clean_pending_list('products_search'::regclass)`.execute(this.#db, { signal: this.#signal });
    await sql`ANALYZE products`.execute(this.#db, { signal: this.#signal });
  }
}
