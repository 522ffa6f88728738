import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

/**
 * Payment methods, payments and refunds. The money rules are CHECK constraints, so no code path (nor a person
 * with psql) can store captured > authorized, refunded + refunds in progress > captured, or a negative amount.
 */
export const paymentsMigration: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await sql`
      CREATE TABLE payment_methods (
        id text PRIMARY KEY CHECK (id ~ '^pm_[0-9a-hjkmnp-tv-z]{26}$'),
        customer_id text NOT NULL CHECK (customer_id ~ '^cus_[0-9a-hjkmnp-tv-z]{26}$'),
        provider text NOT NULL CHECK (char_length(provider) BETWEEN 1 AND 40),
        provider_method_ref text NOT NULL CHECK (char_length(provider_method_ref) BETWEEN 1 AND 200),
        token_fingerprint text NOT NULL CHECK (token_fingerprint ~ '^[0-9a-f]{64}$'),
        brand text NOT NULL CHECK (brand IN ('visa', 'mastercard')),
        last4 text NOT NULL CHECK (last4 ~ '^[0-9]{4}$'),
        exp_month integer NOT NULL CHECK (exp_month BETWEEN 1 AND 12),
        exp_year integer NOT NULL CHECK (exp_year BETWEEN 2000 AND 2100),
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        CONSTRAINT payment_methods_one_per_token UNIQUE (customer_id, provider, token_fingerprint)
      )`.execute(db);
    await sql`CREATE INDEX payment_methods_customer ON payment_methods (customer_id, created_at, id)`.execute(db);

    await sql`
      CREATE TABLE payments (
        id text PRIMARY KEY CHECK (id ~ '^pay_[0-9a-hjkmnp-tv-z]{26}$'),
        order_ref text NOT NULL CHECK (char_length(order_ref) BETWEEN 1 AND 100),
        customer_id text NOT NULL CHECK (customer_id ~ '^cus_[0-9a-hjkmnp-tv-z]{26}$'),
        payment_method_id text NOT NULL REFERENCES payment_methods (id),
        currency text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
        status text NOT NULL CHECK (status IN ('authorized', 'captured', 'partially_refunded', 'refunded', 'voided')),
        void_reason text CHECK (void_reason IN ('requested', 'expired')),
        amount_authorized bigint NOT NULL CHECK (amount_authorized > 0),
        amount_captured bigint NOT NULL DEFAULT 0 CHECK (amount_captured >= 0),
        amount_refunded bigint NOT NULL DEFAULT 0 CHECK (amount_refunded >= 0),
        amount_refund_pending bigint NOT NULL DEFAULT 0 CHECK (amount_refund_pending >= 0),
        provider text NOT NULL,
        provider_charge_id text NOT NULL,
        busy_operation_id text,
        created_by text NOT NULL CHECK (char_length(created_by) BETWEEN 1 AND 300),
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        captured_at timestamptz(3),
        voided_at timestamptz(3),
        expires_at timestamptz(3),
        updated_at timestamptz(3) NOT NULL DEFAULT now(),
        CONSTRAINT payments_captured_within_authorized CHECK (amount_captured <= amount_authorized),
        CONSTRAINT payments_refunds_within_captured CHECK (amount_refunded + amount_refund_pending <= amount_captured),
        CONSTRAINT payments_voided_consistent CHECK (
          (status = 'voided') = (voided_at IS NOT NULL) AND (status = 'voided') = (void_reason IS NOT NULL)),
        CONSTRAINT payments_open_authorization_expires CHECK ((status = 'authorized') = (expires_at IS NOT NULL)),
        CONSTRAINT payments_captured_consistent CHECK (
          (status IN ('captured', 'partially_refunded', 'refunded')) = (captured_at IS NOT NULL)
          AND (status IN ('captured', 'partially_refunded', 'refunded')) = (amount_captured > 0)),
        CONSTRAINT payments_refund_status_consistent CHECK (
          (status <> 'captured' OR amount_refunded = 0)
          AND (status <> 'partially_refunded' OR amount_refunded > 0 AND amount_refunded < amount_captured)
          AND (status <> 'refunded' OR amount_refunded = amount_captured)
          AND (status IN ('partially_refunded', 'refunded') OR amount_refunded = 0)),
        CONSTRAINT payments_provider_charge_key UNIQUE (provider, provider_charge_id)
      )`.execute(db);
    await sql`CREATE INDEX payments_created ON payments (created_at, id)`.execute(db);
    await sql`CREATE INDEX payments_order_ref ON payments (order_ref, created_at, id)`.execute(db);
    await sql`CREATE INDEX payments_customer ON payments (customer_id, created_at, id)`.execute(db);
    await sql`CREATE INDEX payments_open_authorizations ON payments (expires_at) WHERE status = 'authorized'`.execute(db);

    await sql`
      CREATE TABLE refunds (
        id text PRIMARY KEY CHECK (id ~ '^re_[0-9a-hjkmnp-tv-z]{26}$'),
        payment_id text NOT NULL REFERENCES payments (id),
        amount bigint NOT NULL CHECK (amount > 0),
        currency text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
        reason text NOT NULL CHECK (reason IN ('requested_by_customer', 'duplicate', 'fraudulent', 'order_canceled',
                                               'product_not_received', 'product_unacceptable', 'other')),
        status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'succeeded', 'failed')),
        failure_code text,
        provider_refund_id text,
        operation_id text NOT NULL UNIQUE,
        created_by text NOT NULL CHECK (char_length(created_by) BETWEEN 1 AND 300),
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        completed_at timestamptz(3),
        CONSTRAINT refunds_completed_consistent CHECK ((status = 'pending') = (completed_at IS NULL)),
        CONSTRAINT refunds_succeeded_at_provider CHECK (status <> 'succeeded' OR provider_refund_id IS NOT NULL)
      )`.execute(db);
    await sql`CREATE INDEX refunds_payment ON refunds (payment_id, created_at, id)`.execute(db);
  },
  async down(db: Kysely<unknown>): Promise<void> {
    await sql`DROP TABLE refunds`.execute(db);
    await sql`DROP TABLE payments`.execute(db);
    await sql`DROP TABLE payment_methods`.execute(db);
  },
};
