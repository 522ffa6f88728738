import { productLookup } from '@mcpfed/contract-product';
import { CatalogService } from '../service/catalog-service.ts';
import { bindTool, callerOf, productLink } from './bind.ts';

/** productLookup -> CatalogService.lookup. */
export const productLookupTool = bindTool(productLookup, (input, ctx) => new CatalogService(ctx.db, callerOf(ctx)).lookup(input), {
  links: (output) => output.items.map((item) => productLink(item.sku)),
});
