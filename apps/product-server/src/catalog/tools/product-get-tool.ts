import { productGet } from '@mcpfed/contract-product';
import { CatalogService } from '../service/catalog-service.ts';
import { bindTool, callerOf, productLink } from './bind.ts';

/** productGet -> CatalogService.get. */
export const productGetTool = bindTool(productGet, (input, ctx) => new CatalogService(ctx.db, callerOf(ctx)).get(input), {
  links: (output) => [productLink(output.sku)],
});
