import type { Kysely } from 'kysely';
import { prefixPattern } from '@mcpfed/db';
import type { ProductDatabase } from '../../product-database.ts';

/** Up to `limit` SKUs starting with `prefix`, in SKU order: a range scan of `products_sku_prefix`, never a full scan. */
export async function skusByPrefix(db: Kysely<ProductDatabase>, prefix: string, limit: number, signal?: AbortSignal): Promise<string[]> {
  const rows = await db.selectFrom('products').select('sku').where('sku', 'like', prefixPattern(prefix)).orderBy('sku').limit(limit).execute({ signal });
  return rows.map((row) => row.sku);
}
