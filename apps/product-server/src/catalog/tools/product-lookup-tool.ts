import { productLookup } from '@mcpfed/contract-product';
import { CatalogService } from '../service/catalog-service.ts';
import { productLink } from '../../tools/product-link.ts';
import { bindTool } from './bind-tool.ts';

/** productLookup -> CatalogService.lookup. */
export const productLookupTool = bindTool(productLookup, (input, ctx) => new CatalogService(ctx.db).lookup(input, ctx), {
  links: (output) => output.items.map((item) => productLink(item.sku)),
});
