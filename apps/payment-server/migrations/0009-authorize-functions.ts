import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

/**
 * The two state changes of an authorization, each one statement (one round trip, its own atomic transaction)
 * instead of a BEGIN ... COMMIT of four or five:
 * - `payment_claim_authorize` claims (principal, 'authorize', key) and reserves the amount against the daily limit;
 * - `payment_record_authorization` records the provider's charge: payment, balanced ledger transaction, operation
 *   succeeded with its response.
 * Both are VOLATILE plpgsql, so each statement inside takes a fresh READ COMMITTED snapshot: the usage sum read
 * after the advisory lock sees every reservation committed before the lock was granted, as two statements did.
 */
export const authorizeFunctionsMigration: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    // Returns the claimed operation; no row when the key is taken (the caller replays or resumes it). Over the limit
    // it raises `payment_daily_limit_exceeded` (SQLSTATE P0001) with the usage before the amount as DETAIL, which
    // rolls the claim back: a refusal before the provider stores nothing, and the key may be used again.
    await sql`
      CREATE FUNCTION payment_claim_authorize(
        p_id text, p_principal_id text, p_idempotency_key text, p_request_hash text, p_provider_key text,
        p_payment_id text, p_amount bigint, p_currency text, p_params jsonb, p_limit_key text, p_lock_key text,
        p_limit bigint, p_lease_secs double precision
      ) RETURNS SETOF payment_operations LANGUAGE plpgsql VOLATILE AS $fn$
      DECLARE
        v_op payment_operations;
        v_used bigint;
      BEGIN
        INSERT INTO payment_operations (id, principal_id, kind, idempotency_key, request_hash, provider_key, payment_id,
                                        amount, currency, params, limit_bucket, limit_key, lease_expires_at, attempts)
        VALUES (p_id, p_principal_id, 'authorize', p_idempotency_key, p_request_hash, p_provider_key, p_payment_id,
                p_amount, p_currency, p_params, date_trunc('minute', now()), p_limit_key,
                now() + make_interval(secs => p_lease_secs), 1)
        ON CONFLICT ON CONSTRAINT payment_operations_key DO NOTHING
        RETURNING * INTO v_op;
        IF v_op.id IS NULL THEN
          RETURN;
        END IF;
        PERFORM pg_advisory_xact_lock(hashtextextended(p_lock_key, 0));
        SELECT coalesce(sum(amount), 0) INTO v_used FROM payment_limit_usage
         WHERE principal_id = p_limit_key AND kind = 'authorize' AND currency = p_currency
           AND bucket >= date_trunc('minute', now() - interval '24 hours');
        IF v_used + p_amount > p_limit THEN
          RAISE EXCEPTION 'payment_daily_limit_exceeded' USING DETAIL = v_used::text;
        END IF;
        INSERT INTO payment_limit_usage (principal_id, kind, currency, bucket, amount)
        VALUES (p_limit_key, 'authorize', p_currency, date_trunc('minute', now()), p_amount)
        ON CONFLICT (principal_id, kind, currency, bucket) DO UPDATE SET amount = payment_limit_usage.amount + EXCLUDED.amount;
        RETURN NEXT v_op;
      END
      $fn$`.execute(db);

    // Locks the operation; when it is no longer pending (settled by someone else) returns its outcome with
    // recorded = false. Otherwise inserts the payment (expiring p_ttl_secs from now), posts the ledger transaction
    // (the deferred balance trigger checks it at this statement's COMMIT), stores p_response with the payment's
    // database-made times filled in, and returns it with recorded = true. No row: the operation is gone.
    await sql`
      CREATE FUNCTION payment_record_authorization(
        p_operation_id text, p_payment_id text, p_order_ref text, p_customer_id text, p_payment_method_id text,
        p_currency text, p_amount bigint, p_provider text, p_provider_charge_id text, p_created_by text,
        p_ttl_secs double precision, p_ledger_transaction_id text, p_postings jsonb, p_response jsonb
      ) RETURNS TABLE (recorded boolean, status text, response jsonb, error jsonb) LANGUAGE plpgsql VOLATILE AS $fn$
      #variable_conflict use_column
      DECLARE
        v_op payment_operations;
        v_payment payments;
        v_response jsonb;
      BEGIN
        SELECT * INTO v_op FROM payment_operations WHERE id = p_operation_id FOR UPDATE;
        IF v_op.id IS NULL THEN
          RETURN;
        END IF;
        IF v_op.status <> 'pending' THEN
          RETURN QUERY SELECT false, v_op.status, v_op.response, v_op.error;
          RETURN;
        END IF;
        INSERT INTO payments (id, order_ref, customer_id, payment_method_id, currency, status, amount_authorized, provider,
                              provider_charge_id, created_by, expires_at)
        VALUES (p_payment_id, p_order_ref, p_customer_id, p_payment_method_id, p_currency, 'authorized', p_amount, p_provider,
                p_provider_charge_id, p_created_by, now() + make_interval(secs => p_ttl_secs))
        RETURNING * INTO v_payment;
        INSERT INTO ledger_transactions (id, payment_id, kind, currency, operation_id)
        VALUES (p_ledger_transaction_id, p_payment_id, 'authorization', p_currency, p_operation_id);
        INSERT INTO ledger_entries (transaction_id, account, direction, amount, currency)
        SELECT p_ledger_transaction_id, x.account, x.direction, x.amount, p_currency
          FROM jsonb_to_recordset(p_postings) AS x(account text, direction text, amount bigint);
        v_response := jsonb_set(p_response, '{payment}', (p_response -> 'payment') || jsonb_build_object(
          'created_at', to_char(v_payment.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
          'updated_at', to_char(v_payment.updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
          'expires_at', to_char(v_payment.expires_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')));
        UPDATE payment_operations
           SET status = 'succeeded', response = v_response, lease_expires_at = NULL, completed_at = now(), updated_at = now()
         WHERE id = p_operation_id;
        RETURN QUERY SELECT true, 'succeeded'::text, v_response, NULL::jsonb;
      END
      $fn$`.execute(db);
  },
  async down(db: Kysely<unknown>): Promise<void> {
    await sql`DROP FUNCTION payment_record_authorization(text, text, text, text, text, text, bigint, text, text, text, double precision, text, jsonb, jsonb)`.execute(
      db,
    );
    await sql`DROP FUNCTION payment_claim_authorize(text, text, text, text, text, text, bigint, text, jsonb, text, text, bigint, double precision)`.execute(db);
  },
};
