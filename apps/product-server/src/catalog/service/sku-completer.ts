import type { Completer } from '@mcpfed/mcp-runtime';
import type { ProductDatabase } from '../../store/product-database.ts';
import { ProductStore } from '../store/product-store.ts';

/** A partial SKU: the SKU alphabet (typed in any case), at most a SKU's length. Anything else completes to nothing. */
const PARTIAL_SKU = /^[A-Z0-9._-]{0,64}$/;

/**
 * The completer of `product://{sku}`: SKUs starting with what was typed (upper-cased, as SKUs are), archived ones
 * included, as product_get reads them; the resource's `product:read` is checked by the runtime.
 */
export const skuCompleter: Completer<ProductDatabase> = async (prefix, limit, ctx) => {
  const partial = prefix.toUpperCase();
  return PARTIAL_SKU.test(partial) ? new ProductStore(ctx.db, ctx.signal).skusByPrefix(partial, limit) : [];
};
