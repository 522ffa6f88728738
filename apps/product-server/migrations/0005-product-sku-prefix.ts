import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

/**
 * `products_sku_prefix`: completion of SKUs (`completion/complete`) is a `LIKE 'prefix%'` range scan of this index in
 * any database collation; the primary key serves it only under the C collation.
 */
export const productSkuPrefixMigration: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await sql`CREATE INDEX products_sku_prefix ON products (sku text_pattern_ops)`.execute(db);
  },
  async down(db: Kysely<unknown>): Promise<void> {
    await sql`DROP INDEX products_sku_prefix`.execute(db);
  },
};
