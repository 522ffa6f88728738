import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

/**
 * The views payment_query_sql may read (PAYMENT_SQL_VIEWS in the contract): payment methods only as brand and
 * last4, no provider references, idempotency keys or operation payloads. The read-only role gets SELECT on these
 * views only; a view reads its base tables with its owner's rights.
 */
export const analyticsViewsMigration: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await sql`
      CREATE VIEW analytics_payments AS
      SELECT p.id, p.order_ref, p.customer_id, p.currency, p.status, p.void_reason,
             p.amount_authorized, p.amount_captured, p.amount_refunded,
             m.brand AS payment_method_brand, m.last4 AS payment_method_last4,
             p.created_at, p.captured_at, p.voided_at
        FROM payments p
        JOIN payment_methods m ON m.id = p.payment_method_id`.execute(db);
    await sql`
      CREATE VIEW analytics_refunds AS
      SELECT r.id, r.payment_id, r.currency, r.amount, r.reason, r.status, r.created_at, r.completed_at
        FROM refunds r`.execute(db);
    await sql`
      CREATE VIEW analytics_ledger_entries AS
      SELECT e.transaction_id, t.payment_id, t.kind, e.account, e.direction, e.amount, e.currency, t.posted_at
        FROM ledger_entries e
        JOIN ledger_transactions t ON t.id = e.transaction_id`.execute(db);
    await sql`
      CREATE VIEW analytics_payment_methods AS
      SELECT m.id, m.customer_id, m.brand, m.last4, m.created_at
        FROM payment_methods m`.execute(db);
  },
  async down(db: Kysely<unknown>): Promise<void> {
    await sql`DROP VIEW analytics_payment_methods`.execute(db);
    await sql`DROP VIEW analytics_ledger_entries`.execute(db);
    await sql`DROP VIEW analytics_refunds`.execute(db);
    await sql`DROP VIEW analytics_payments`.execute(db);
  },
};
