import type { Kysely } from 'kysely';
import { inTransaction } from '@mcpfed/db';

/**
 * Runs `fn` on `db` when it is already a transaction (a write tool's call transaction, which the runtime commits
 * with its idempotency record and audit row), else in a transaction of its own: a service's write always commits
 * all of its rows together, whoever calls it.
 */
export async function withinTransaction<DB, T>(db: Kysely<DB>, fn: (db: Kysely<DB>) => Promise<T>): Promise<T> {
  return db.isTransaction ? fn(db) : inTransaction(db, fn);
}
