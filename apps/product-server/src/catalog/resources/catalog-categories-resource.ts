import { catalogCategoriesResource } from '@mcpfed/contract-product';
import { resourceBinder } from '@mcpfed/mcp-runtime';
import type { ProductDatabase } from '../../store/product-database.ts';
import { CatalogService } from '../service/catalog-service.ts';

/** `catalog://categories`: every category with its product counts by status. */
export const catalogCategoriesResourceBinding = resourceBinder<ProductDatabase>()(catalogCategoriesResource, async (uri, _params, ctx) => {
  const categories = await new CatalogService(ctx.db).categories(ctx);
  return [{ uri, mimeType: 'application/json', text: JSON.stringify({ categories }) }];
});
