import type { Kysely } from 'kysely';
import { productSearch } from '@mcpfed/contract-product';
import type { ToolBinding } from '@mcpfed/mcp-runtime';
import type { ProductDatabase } from '../../product-database.ts';
import { CatalogService } from '../service/catalog-service.ts';
import { LexiconCache } from '../service/lexicon-cache.ts';
import { bindTool, callerOf, productLink } from './bind.ts';

/**
 * productSearch -> CatalogService.search on the search pool (`searchConnectionString`), not the call's pool, with
 * one lexicon cache for the server's searches.
 */
export function productSearchTool(searchDb: Kysely<ProductDatabase>): ToolBinding<ProductDatabase> {
  const cache = new LexiconCache();
  return bindTool(productSearch, (input, ctx) => new CatalogService(searchDb, callerOf(ctx)).search(input, cache), {
    links: (output) => output.items.map((item) => productLink(item.sku)),
  });
}
