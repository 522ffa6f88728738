import type { Kysely } from 'kysely';
import { inTransaction } from '@mcpfed/db';
import type { CustomerDatabase } from '../store/customer-database.ts';

/**
 * Runs `fn` in the transaction `db` already is (the runtime's, for write tools), or in a new one when `db` is the
 * pool, so a change and its timeline event always commit together.
 */
export function withinTransaction<T>(db: Kysely<CustomerDatabase>, fn: (db: Kysely<CustomerDatabase>) => Promise<T>): Promise<T> {
  return db.isTransaction ? fn(db) : inTransaction(db, fn);
}
