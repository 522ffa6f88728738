import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import type { PaymentDatabase } from './payment-database.ts';

/** A limited kind of operation. */
export type LimitedKind = 'authorize' | 'refund';

/** Whose usage: the operations of one limit key (`rateLimitKeyOf` of the principal), of one kind, in one currency. */
export interface UsageKey {
  /** The principal id (rows written before token exchange may hold `<service>><caller>`); stored as `principal_id`. */
  limitKey: string;
  kind: LimitedKind;
  currency: string;
}

// Buckets start on the minute; counting every bucket that starts within the last 24 h and 1 minute means an
// amount counts for at least 24 hours (and at most 24 h 1 min): the limit is never under-enforced.
const IN_WINDOW = sql<boolean>`bucket >= date_trunc('minute', now() - interval '24 hours')`;

/** The advisory lock name that serializes the reservations of one usage key (a statement takes it, COMMIT ends it). */
export function usageLockName(key: UsageKey): string {
  return JSON.stringify(['payment-limit', key.limitKey, key.kind, key.currency]);
}

/**
 * The rolling 24-hour usage behind the daily limits, kept in the payment database (so every replica sees the same
 * numbers) in the same transactions as the operations it counts.
 */
export class LimitUsageStore {
  readonly #db: Kysely<PaymentDatabase>;
  readonly #signal: AbortSignal;

  constructor(db: Kysely<PaymentDatabase>, signal: AbortSignal) {
    this.#db = db;
    this.#signal = signal;
  }

  /**
   * Adds `amount` to this minute's bucket (`date_trunc('minute', now())`: the transaction's time) if the 24-hour total
   * stays within `limit`. Must run in a transaction: an advisory lock per (limit key, kind, currency) serializes
   * concurrent reservations until COMMIT, and the sum is read in a statement after the lock so it sees every
   * reservation committed before. Returns the usage before this amount and whether it was reserved.
   */
  async reserve(key: UsageKey, amount: number, limit: number): Promise<{ used: number; reserved: boolean }> {
    await sql`SELECT pg_advisory_xact_lock(hashtextextended(${usageLockName(key)}, 0))`.execute(this.#db, {
      signal: this.#signal,
    });
    const { rows } = await sql<{ used: string; reserved: boolean }>`
      WITH usage AS (
        SELECT coalesce(sum(amount), 0) AS used FROM payment_limit_usage
         WHERE principal_id = ${key.limitKey} AND kind = ${key.kind} AND currency = ${key.currency} AND ${IN_WINDOW}
      ), reserved AS (
        INSERT INTO payment_limit_usage (principal_id, kind, currency, bucket, amount)
        SELECT ${key.limitKey}, ${key.kind}, ${key.currency}, date_trunc('minute', now()), ${amount}::bigint
          FROM usage WHERE usage.used + ${amount}::bigint <= ${limit}::bigint
        ON CONFLICT (principal_id, kind, currency, bucket) DO UPDATE SET amount = payment_limit_usage.amount + EXCLUDED.amount
        RETURNING 1
      )
      SELECT usage.used, EXISTS (SELECT 1 FROM reserved) AS reserved FROM usage`.execute(this.#db, { signal: this.#signal });
    const row = rows[0];
    return { used: Number(row?.used ?? 0), reserved: row?.reserved === true };
  }

  /** Takes an operation's amount back out of the bucket it was reserved in (the operation failed or never ran). */
  async release(key: UsageKey, bucket: Date, amount: number): Promise<void> {
    await this.#db
      .updateTable('payment_limit_usage')
      .set({ amount: sql<string>`amount - ${amount}::bigint` })
      .where('principal_id', '=', key.limitKey)
      .where('kind', '=', key.kind)
      .where('currency', '=', key.currency)
      .where('bucket', '=', bucket)
      .execute({ signal: this.#signal });
  }

  /** The 24-hour usage of a limit key, without reserving. */
  async used(key: UsageKey): Promise<number> {
    const row = await this.#db
      .selectFrom('payment_limit_usage')
      .select(sql<string>`coalesce(sum(amount), 0)`.as('used'))
      .where('principal_id', '=', key.limitKey)
      .where('kind', '=', key.kind)
      .where('currency', '=', key.currency)
      .where(IN_WINDOW)
      .executeTakeFirstOrThrow({ signal: this.#signal });
    return Number(row.used);
  }

  /** Deletes buckets older than two days (outside every window). */
  async purgeOld(): Promise<number> {
    const result = await this.#db
      .deleteFrom('payment_limit_usage')
      .where('bucket', '<', sql<Date>`now() - interval '2 days'`)
      .executeTakeFirst({ signal: this.#signal });
    return Number(result.numDeletedRows);
  }
}
