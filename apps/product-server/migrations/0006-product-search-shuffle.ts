import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

/**
 * The tie-break of relevance search as a column of the search index. `product_shuffle(sku)` is a fixed number
 * 0-4095 per SKU (the first 12 bits of its MD5): products of one relevance tier are ordered by it, then by SKU. It
 * does not follow names, brands, categories or SKU ranges, so every word's matches are spread evenly over it, and
 * with it in the GIN index a search reads the matches of a slice of it (the first 1/4096, then more) instead of
 * every match of a broad word: the page is found after a few dozen products however many match.
 *
 * `products_search` becomes (search_vector, category, product_shuffle(sku)), under the same name (import batches
 * clean its pending list by name). Cost on an existing database: the new index is built before the old one is
 * dropped; the build holds a SHARE lock on `products`, so writes to products wait while reads go on (about 2-4 minutes
 * per 1,000,000 products on a 2-core machine, like the original index), then the swap takes an ACCESS EXCLUSIVE
 * lock for the rest of the (short) transaction. To avoid the write stall, build `products_search_shuffled` by hand
 * first with CREATE INDEX CONCURRENTLY and the same definition: the migration then finds it and only swaps.
 */
export const productSearchShuffleMigration: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await sql`
      CREATE FUNCTION product_shuffle(sku text) RETURNS integer
      LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $fn$
        SELECT ('x' || substr(md5(sku), 1, 3))::bit(12)::integer
      $fn$`.execute(db);
    await sql`CREATE INDEX IF NOT EXISTS products_search_shuffled ON products USING gin (search_vector, category, product_shuffle(sku))`.execute(db);
    await sql`DROP INDEX products_search`.execute(db);
    await sql`ALTER INDEX products_search_shuffled RENAME TO products_search`.execute(db);
  },
  async down(db: Kysely<unknown>): Promise<void> {
    await sql`CREATE INDEX products_search_unshuffled ON products USING gin (search_vector, category)`.execute(db);
    await sql`DROP INDEX products_search`.execute(db);
    await sql`ALTER INDEX products_search_unshuffled RENAME TO products_search`.execute(db);
    await sql`DROP FUNCTION product_shuffle(text)`.execute(db);
  },
};
