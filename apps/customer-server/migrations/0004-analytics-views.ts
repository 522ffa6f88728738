import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

/**
 * The views customer_query_sql may read (CUSTOMER_SQL_VIEWS in the contract): no names, emails, phones,
 * street lines or postal codes. The read-only role gets SELECT on these views only; a view reads its base
 * tables with its owner's rights, so the role needs nothing on the tables.
 */
export const analyticsViewsMigration: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await sql`
      CREATE VIEW analytics_customers AS
      SELECT c.id,
             c.tier,
             c.status,
             (SELECT a.country FROM addresses a
               WHERE a.customer_id = c.id
               ORDER BY (a.kind = 'shipping') DESC, a.is_default DESC, a.created_at, a.id
               LIMIT 1) AS country,
             c.created_at,
             coalesce(s.order_count, 0) AS order_count,
             coalesce(s.lifetime_value_amount, 0)::bigint AS lifetime_value_amount,
             coalesce(s.currency, 'EUR') AS lifetime_value_currency,
             s.last_order_at
        FROM customers c
        LEFT JOIN customer_order_stats s ON s.customer_id = c.id`.execute(db);
    await sql`
      CREATE VIEW analytics_addresses AS
      SELECT a.customer_id, a.kind, a.is_default, a.city, a.region, a.country
        FROM addresses a`.execute(db);
  },
  async down(db: Kysely<unknown>): Promise<void> {
    await sql`DROP VIEW analytics_addresses`.execute(db);
    await sql`DROP VIEW analytics_customers`.execute(db);
  },
};
