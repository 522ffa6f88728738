import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

/**
 * The views product_query_sql may read (CATALOG_SQL_VIEWS in the contract). The read-only role gets SELECT on
 * these views only; a view reads its base tables with its owner's rights, so the role needs nothing on the tables.
 */
export const analyticsViewsMigration: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await sql`
      CREATE VIEW analytics_products AS
      SELECT sku, name, brand, category, status, price_amount, currency, version, created_at, updated_at, archived_at
        FROM products`.execute(db);
    await sql`
      CREATE VIEW analytics_price_history AS
      SELECT sku, price_amount, currency, changed_at, changed_by
        FROM product_price_history`.execute(db);
    await sql`
      CREATE VIEW analytics_imports AS
      SELECT id, status, format, rows_ok, rows_failed, created_at, finished_at
        FROM product_imports`.execute(db);
  },
  async down(db: Kysely<unknown>): Promise<void> {
    await sql`DROP VIEW analytics_imports`.execute(db);
    await sql`DROP VIEW analytics_price_history`.execute(db);
    await sql`DROP VIEW analytics_products`.execute(db);
  },
};
