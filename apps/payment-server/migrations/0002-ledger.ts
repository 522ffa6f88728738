import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

/**
 * The double-entry ledger. Every money movement is one `ledger_transactions` row with at least two
 * `ledger_entries` whose debits equal their credits; a DEFERRABLE INITIALLY DEFERRED constraint trigger checks
 * that at COMMIT, so a transaction that does not balance cannot be stored at all. The ledger is append-only:
 * corrections are new transactions, never edits.
 */
export const ledgerMigration: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await sql`
      CREATE TABLE ledger_transactions (
        id text PRIMARY KEY CHECK (id ~ '^ltx_[0-9a-hjkmnp-tv-z]{26}$'),
        payment_id text NOT NULL REFERENCES payments (id),
        kind text NOT NULL CHECK (kind IN ('authorization', 'capture', 'void', 'expiry', 'refund')),
        currency text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
        operation_id text UNIQUE,
        refund_id text,
        posted_at timestamptz(3) NOT NULL DEFAULT now(),
        CONSTRAINT ledger_transactions_id_currency UNIQUE (id, currency)
      )`.execute(db);
    await sql`CREATE INDEX ledger_transactions_payment ON ledger_transactions (payment_id)`.execute(db);
    await sql`CREATE INDEX ledger_transactions_posted ON ledger_transactions (posted_at)`.execute(db);
    await sql`
      CREATE TABLE ledger_entries (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        transaction_id text NOT NULL,
        account text NOT NULL CHECK (account IN ('customer_funds_held', 'customer_authorizations', 'merchant_receivable',
                                                 'merchant_revenue', 'merchant_refunds')),
        direction text NOT NULL CHECK (direction IN ('debit', 'credit')),
        amount bigint NOT NULL CHECK (amount > 0),
        currency text NOT NULL,
        -- An entry is in its transaction's currency: a transaction never mixes currencies.
        CONSTRAINT ledger_entries_transaction FOREIGN KEY (transaction_id, currency) REFERENCES ledger_transactions (id, currency)
      )`.execute(db);
    await sql`CREATE INDEX ledger_entries_transaction ON ledger_entries (transaction_id)`.execute(db);

    await sql`
      CREATE FUNCTION ledger_assert_balanced() RETURNS trigger
      LANGUAGE plpgsql AS $fn$
      DECLARE
        tx_id text;
        entry_count integer;
        debits numeric;
        credits numeric;
      BEGIN
        IF TG_TABLE_NAME = 'ledger_transactions' THEN
          tx_id := NEW.id;
        ELSE
          tx_id := NEW.transaction_id;
        END IF;
        SELECT count(*),
               coalesce(sum(amount) FILTER (WHERE direction = 'debit'), 0),
               coalesce(sum(amount) FILTER (WHERE direction = 'credit'), 0)
          INTO entry_count, debits, credits
          FROM ledger_entries WHERE transaction_id = tx_id;
        IF entry_count < 2 OR debits <> credits THEN
          RAISE EXCEPTION 'ledger transaction % does not balance (debits %, credits %, % entries)', tx_id, debits, credits, entry_count
            USING ERRCODE = 'check_violation', CONSTRAINT = 'ledger_transaction_balanced';
        END IF;
        RETURN NULL;
      END
      $fn$`.execute(db);
    await sql`
      CREATE CONSTRAINT TRIGGER ledger_transactions_balanced AFTER INSERT ON ledger_transactions
      DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ledger_assert_balanced()`.execute(db);
    await sql`
      CREATE CONSTRAINT TRIGGER ledger_entries_balanced AFTER INSERT ON ledger_entries
      DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ledger_assert_balanced()`.execute(db);

    await sql`
      CREATE FUNCTION ledger_refuse_change() RETURNS trigger
      LANGUAGE plpgsql AS $fn$
      BEGIN
        RAISE EXCEPTION 'the ledger is append-only: post a correcting transaction instead of changing %', TG_TABLE_NAME
          USING ERRCODE = 'check_violation', CONSTRAINT = 'ledger_append_only';
      END
      $fn$`.execute(db);
    await sql`CREATE TRIGGER ledger_transactions_append_only BEFORE UPDATE OR DELETE ON ledger_transactions FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change()`.execute(
      db,
    );
    await sql`CREATE TRIGGER ledger_entries_append_only BEFORE UPDATE OR DELETE ON ledger_entries FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change()`.execute(
      db,
    );
  },
  async down(db: Kysely<unknown>): Promise<void> {
    await sql`DROP TABLE ledger_entries`.execute(db);
    await sql`DROP TABLE ledger_transactions`.execute(db);
    await sql`DROP FUNCTION ledger_refuse_change()`.execute(db);
    await sql`DROP FUNCTION ledger_assert_balanced()`.execute(db);
  },
};
