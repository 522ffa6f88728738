import { productUpdate } from '@mcpfed/contract-product';
import { CatalogService } from '../service/catalog-service.ts';
import { bindTool, callerOf, productLink } from './bind.ts';

/** productUpdate -> CatalogService.update. */
export const productUpdateTool = bindTool(productUpdate, (input, ctx) => new CatalogService(ctx.db, callerOf(ctx)).update(input), {
  links: (output) => [productLink(output.product.sku)],
});
