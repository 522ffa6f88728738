import type { Kysely } from 'kysely';
import { productSearch } from '@mcpfed/contract-product';
import type { ToolBinding } from '@mcpfed/mcp-runtime';
import type { ProductDatabase } from '../../store/product-database.ts';
import { productLink } from '../../tools/product-link.ts';
import { CatalogService } from '../service/catalog-service.ts';
import { LexiconCache } from '../service/lexicon-cache.ts';
import { bindTool } from './bind-tool.ts';

/**
 * productSearch -> CatalogService.search on the search pool (`searchConnectionString`), not the call's pool, with
 * one lexicon cache for the server's searches.
 */
export function productSearchTool(searchDb: Kysely<ProductDatabase>): ToolBinding<ProductDatabase> {
  const lexicon = new LexiconCache();
  return bindTool(productSearch, (input, ctx) => new CatalogService(searchDb, { lexicon }).search(input, ctx), {
    links: (output) => output.items.map((item) => productLink(item.sku)),
  });
}
