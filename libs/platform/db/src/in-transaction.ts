import { sql } from 'kysely';
import type { Kysely, Transaction } from 'kysely';
import { mapDatabaseError } from './map-database-error.ts';
import { integerOption } from './option-checks.ts';

/** Isolation levels {@link inTransaction} offers (PostgreSQL has no true READ UNCOMMITTED). */
export type TransactionIsolation = 'read committed' | 'repeatable read' | 'serializable';

/** Options of {@link inTransaction}. */
export interface TransactionOptions {
  /** Isolation level. Default: the server's (`read committed`). */
  isolation?: TransactionIsolation;
}

/** Options of {@link inReadOnlyTransaction}. */
export interface ReadOnlyTransactionOptions {
  /** `SET LOCAL statement_timeout` for this transaction, in milliseconds. Default: the connection's setting. */
  statementTimeoutMs?: number;
}

/**
 * Runs `fn` in one transaction: commits when it resolves, rolls back and rethrows when it throws. Driver errors
 * come out mapped by `mapDatabaseError` (e.g. a serialization failure is a retryable CONFLICT); AppErrors
 * thrown by `fn` pass unchanged.
 */
export async function inTransaction<DB, T>(db: Kysely<DB>, fn: (trx: Transaction<DB>) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
  let builder = db.transaction();
  if (options.isolation !== undefined) builder = builder.setIsolationLevel(options.isolation);
  try {
    return await builder.execute(fn);
  } catch (error) {
    throw mapDatabaseError(error);
  }
}

/**
 * Runs `fn` in a `READ ONLY` transaction (any write fails with 25006, mapped to FORBIDDEN), optionally with a
 * tighter `statement_timeout` for its statements. Always ends in COMMIT of nothing or ROLLBACK.
 */
export async function inReadOnlyTransaction<DB, T>(
  db: Kysely<DB>,
  fn: (trx: Transaction<DB>) => Promise<T>,
  options: ReadOnlyTransactionOptions = {},
): Promise<T> {
  const timeoutMs =
    options.statementTimeoutMs === undefined
      ? undefined
      : integerOption('inReadOnlyTransaction', 'statementTimeoutMs', options.statementTimeoutMs, 0, 0, 86_400_000);
  try {
    return await db
      .transaction()
      .setAccessMode('read only')
      .execute(async (trx) => {
        // set_config(..., true) is SET LOCAL with a bind parameter (SET itself takes none).
        if (timeoutMs !== undefined) await sql`SELECT set_config('statement_timeout', ${String(timeoutMs)}, true)`.execute(trx);
        return fn(trx);
      });
  } catch (error) {
    throw mapDatabaseError(error);
  }
}
