import type { Kysely } from 'kysely';
import type { RequestContext } from '@mcpfed/mcp-runtime';
import { inventoryDb } from '../store/inventory-tables.ts';
import type { InventoryTables } from '../store/inventory-tables.ts';
import { LevelStore } from '../store/level-store.ts';
import { skuStockViews } from './inventory-views.ts';
import type { SkuStockOutput } from './inventory-views.ts';

/**
 * Stock of each sku, totals and per location, in the wire shape of `skuStockSchema` (@mcpfed/contract-product),
 * for the catalog's product_get. Every requested sku has an entry: zeros and no locations when it holds no stock
 * (whether the product exists is the catalog's question). One indexed query for all skus.
 */
export async function stockBySku<DB extends InventoryTables>(
  db: Kysely<DB>,
  skus: readonly string[],
  ctx: Pick<RequestContext, 'signal'>,
): Promise<Map<string, SkuStockOutput>> {
  const unique = [...new Set(skus)];
  const levels = await new LevelStore(inventoryDb(db), ctx.signal).list(unique);
  return skuStockViews(unique, levels);
}
