import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import type { ProductDatabase } from '../../product-database.ts';

/**
 * Moves the search index's pending entries into the index proper and refreshes the planner's statistics after a
 * bulk write. GIN's fast-update list makes inserts cheap but every search scans it linearly until VACUUM (or this)
 * merges it: a few MB of pending entries cost a search more than the whole indexed lookup.
 */
export async function refreshSearchIndex(db: Kysely<ProductDatabase>): Promise<void> {
  await sql`SELECT gin_clean_pending_list('products_search'::regclass)`.execute(db);
  await sql`ANALYZE products`.execute(db);
}
