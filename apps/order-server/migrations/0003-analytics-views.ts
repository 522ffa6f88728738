import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

/**
 * The views order_query_sql may read (ORDER_SQL_VIEWS in the contract): no principals, idempotency keys, request
 * hashes or payment methods. The read-only role gets SELECT on these only.
 */
export const analyticsViewsMigration: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await sql`
      CREATE VIEW analytics_orders AS
      SELECT o.id, o.order_number, o.customer_id, o.status, o.capture_mode, o.currency, o.total_amount,
             o.amount_captured, o.refunded_amount, o.failure_reason,
             (SELECT count(*)::integer FROM order_lines l WHERE l.order_id = o.id) AS line_count,
             o.placed_at, o.confirmed_at, o.updated_at
        FROM orders o`.execute(db);
    await sql`
      CREATE VIEW analytics_order_lines AS
      SELECT l.order_id, l.sku, l.quantity, l.refunded_quantity, l.unit_price, l.line_total, o.currency
        FROM order_lines l JOIN orders o ON o.id = l.order_id`.execute(db);
    await sql`
      CREATE VIEW analytics_order_events AS
      SELECT e.sequence, e.order_id, e.type, e.status, e.occurred_at, e.published_at FROM order_events e`.execute(db);
    await sql`
      CREATE VIEW analytics_checkout_workflows AS
      SELECT s.order_id, s.status, s.step, s.attempts, s.last_error ->> 'code' AS last_error_code, s.started_at, s.finished_at
        FROM checkout_sagas s`.execute(db);
  },
  async down(db: Kysely<unknown>): Promise<void> {
    await sql`DROP VIEW analytics_checkout_workflows`.execute(db);
    await sql`DROP VIEW analytics_order_events`.execute(db);
    await sql`DROP VIEW analytics_order_lines`.execute(db);
    await sql`DROP VIEW analytics_orders`.execute(db);
  },
};
