import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

/**
 * Orders and their lines. The checkout invariants that a crash must never break are CHECK constraints: a confirmed
 * (or later) order has an authorization; nothing is captured on an order that was never confirmed; captured and
 * refunded amounts stay within what was authorized and captured. One idempotency key of one principal is one
 * order (a unique constraint, so even concurrent order_place calls with the same key make one order).
 */
export const ordersMigration: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await sql`
      CREATE TABLE orders (
        id text PRIMARY KEY CHECK (id ~ '^ord_[0-9a-hjkmnp-tv-z]{26}$'),
        order_number bigint GENERATED ALWAYS AS IDENTITY (START WITH 100001) UNIQUE,
        principal_id text NOT NULL CHECK (char_length(principal_id) BETWEEN 1 AND 300),
        idempotency_key text NOT NULL CHECK (char_length(idempotency_key) BETWEEN 1 AND 200),
        request_hash text NOT NULL,
        customer_id text NOT NULL CHECK (customer_id ~ '^cus_[0-9a-hjkmnp-tv-z]{26}$'),
        status text NOT NULL CHECK (status IN ('pending', 'confirmed', 'failed', 'fulfilled', 'delivered', 'cancelled', 'partially_refunded', 'refunded')),
        version integer NOT NULL DEFAULT 1 CHECK (version >= 1),
        capture_mode text NOT NULL CHECK (capture_mode IN ('immediate', 'on_fulfillment')),
        currency text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
        total_amount bigint NOT NULL CHECK (total_amount >= 0),
        amount_authorized bigint NOT NULL DEFAULT 0 CHECK (amount_authorized >= 0),
        amount_captured bigint NOT NULL DEFAULT 0 CHECK (amount_captured >= 0),
        refunded_amount bigint NOT NULL DEFAULT 0 CHECK (refunded_amount >= 0),
        shipping_address_id text,
        payment_method text NOT NULL,
        reservation_id text,
        payment_id text,
        failure_reason text,
        failure_message text,
        tracking_carrier text,
        tracking_number text,
        placed_at timestamptz(3) NOT NULL DEFAULT now(),
        confirmed_at timestamptz(3),
        fulfilled_at timestamptz(3),
        delivered_at timestamptz(3),
        cancelled_at timestamptz(3),
        updated_at timestamptz(3) NOT NULL DEFAULT now(),
        CONSTRAINT orders_one_order_per_key UNIQUE (principal_id, idempotency_key),
        CONSTRAINT orders_confirmed_has_authorization CHECK (status IN ('pending', 'failed') OR (payment_id IS NOT NULL AND amount_authorized > 0)),
        CONSTRAINT orders_capture_needs_confirmation CHECK (amount_captured = 0 OR confirmed_at IS NOT NULL),
        CONSTRAINT orders_captured_within_authorized CHECK (amount_captured <= amount_authorized),
        CONSTRAINT orders_refunded_within_captured CHECK (refunded_amount <= amount_captured),
        CONSTRAINT orders_failed_has_reason CHECK ((status = 'failed') = (failure_reason IS NOT NULL))
      )`.execute(db);
    await sql`CREATE INDEX orders_placed ON orders (placed_at, id)`.execute(db);
    await sql`CREATE INDEX orders_customer ON orders (customer_id, placed_at, id)`.execute(db);
    await sql`CREATE INDEX orders_status ON orders (status, placed_at, id)`.execute(db);

    await sql`
      CREATE TABLE order_lines (
        order_id text NOT NULL REFERENCES orders (id),
        line_no integer NOT NULL CHECK (line_no >= 1),
        sku text NOT NULL,
        quantity integer NOT NULL CHECK (quantity >= 1),
        unit_price bigint NOT NULL CHECK (unit_price >= 0),
        line_total bigint NOT NULL CHECK (line_total >= 0),
        refunded_quantity integer NOT NULL DEFAULT 0 CHECK (refunded_quantity >= 0),
        allocations jsonb NOT NULL DEFAULT '[]',
        PRIMARY KEY (order_id, line_no),
        CONSTRAINT order_lines_one_per_sku UNIQUE (order_id, sku),
        CONSTRAINT order_lines_refund_within_quantity CHECK (refunded_quantity <= quantity)
      )`.execute(db);
  },
  async down(db: Kysely<unknown>): Promise<void> {
    await sql`DROP TABLE order_lines`.execute(db);
    await sql`DROP TABLE orders`.execute(db);
  },
};
