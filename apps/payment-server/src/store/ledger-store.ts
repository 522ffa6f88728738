import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import type { Posting } from '../service/ledger-postings.ts';
import type { LedgerTransactionKind, PaymentDatabase } from './payment-database.ts';

/** A ledger transaction to post. */
export interface NewLedgerTransaction {
  id: string;
  paymentId: string;
  kind: LedgerTransactionKind;
  currency: string;
  operationId: string | null;
  refundId?: string | null;
  postings: readonly Posting[];
}

/** What the ledger says about one payment, in integer minor units. */
export interface LedgerPaymentSums {
  /** Debits to customer_funds_held by authorizations. */
  authorized: number;
  /** Balance of customer_funds_held (what is still on hold). */
  held: number;
  /** Net credits to merchant_revenue. */
  captured: number;
  /** Net debits to merchant_refunds. */
  refunded: number;
}

/** Repository of the append-only ledger. */
export class LedgerStore {
  readonly #db: Kysely<PaymentDatabase>;
  readonly #signal: AbortSignal;

  constructor(db: Kysely<PaymentDatabase>, signal: AbortSignal) {
    this.#db = db;
    this.#signal = signal;
  }

  /**
   * Posts one transaction with its entries, in one statement. Must run inside a transaction: the balance is
   * checked at its COMMIT (the entries' foreign key is checked at the end of the statement, after both inserts).
   */
  async post(transaction: NewLedgerTransaction): Promise<void> {
    const entries = sql.join(
      transaction.postings.map(
        (posting) => sql`(${transaction.id}, ${posting.account}, ${posting.direction}, ${posting.amount}::bigint, ${transaction.currency})`,
      ),
    );
    await sql`
      WITH posted AS (
        INSERT INTO ledger_transactions (id, payment_id, kind, currency, operation_id, refund_id)
        VALUES (${transaction.id}, ${transaction.paymentId}, ${transaction.kind}, ${transaction.currency}, ${transaction.operationId}, ${transaction.refundId ?? null})
      )
      INSERT INTO ledger_entries (transaction_id, account, direction, amount, currency) VALUES ${entries}`.execute(this.#db, { signal: this.#signal });
  }

  /** Per payment, what its ledger transactions add up to. Payments without any are left out. */
  async sumsByPayment(paymentIds: readonly string[]): Promise<Map<string, LedgerPaymentSums>> {
    if (paymentIds.length === 0) return new Map();
    const rows = await this.#db
      .selectFrom('ledger_transactions as t')
      .innerJoin('ledger_entries as e', 'e.transaction_id', 't.id')
      .select([
        't.payment_id',
        sql<string>`coalesce(sum(e.amount) FILTER (WHERE e.account = 'customer_funds_held' AND e.direction = 'debit' AND t.kind = 'authorization'), 0)`.as(
          'authorized',
        ),
        sql<string>`coalesce(sum(CASE e.direction WHEN 'debit' THEN e.amount ELSE -e.amount END) FILTER (WHERE e.account = 'customer_funds_held'), 0)`.as(
          'held',
        ),
        sql<string>`coalesce(sum(CASE e.direction WHEN 'credit' THEN e.amount ELSE -e.amount END) FILTER (WHERE e.account = 'merchant_revenue'), 0)`.as(
          'captured',
        ),
        sql<string>`coalesce(sum(CASE e.direction WHEN 'debit' THEN e.amount ELSE -e.amount END) FILTER (WHERE e.account = 'merchant_refunds'), 0)`.as(
          'refunded',
        ),
      ])
      .where('t.payment_id', 'in', [...paymentIds])
      .groupBy('t.payment_id')
      .execute({ signal: this.#signal });
    return new Map(
      rows.map((row) => [
        row.payment_id,
        { authorized: Number(row.authorized), held: Number(row.held), captured: Number(row.captured), refunded: Number(row.refunded) },
      ]),
    );
  }

  /** Debits and credits per currency and account of the transactions posted in a window. */
  async accountTotals(from: Date, to: Date, currency: string | undefined) {
    return this.#db
      .selectFrom('ledger_transactions as t')
      .innerJoin('ledger_entries as e', 'e.transaction_id', 't.id')
      .select([
        'e.currency',
        'e.account',
        sql<string>`coalesce(sum(e.amount) FILTER (WHERE e.direction = 'debit'), 0)`.as('debits'),
        sql<string>`coalesce(sum(e.amount) FILTER (WHERE e.direction = 'credit'), 0)`.as('credits'),
      ])
      .where('t.posted_at', '>=', from)
      .where('t.posted_at', '<', to)
      .$if(currency !== undefined, (qb) => qb.where('e.currency', '=', currency as string))
      .groupBy(['e.currency', 'e.account'])
      .orderBy('e.currency')
      .orderBy('e.account')
      .execute({ signal: this.#signal });
  }
}
