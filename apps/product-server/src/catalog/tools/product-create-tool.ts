import { productCreate } from '@mcpfed/contract-product';
import { CatalogService } from '../service/catalog-service.ts';
import { bindTool, callerOf, productLink } from './bind.ts';

/** productCreate -> CatalogService.create. */
export const productCreateTool = bindTool(productCreate, (input, ctx) => new CatalogService(ctx.db, callerOf(ctx)).create(input), {
  links: (output) => [productLink(output.product.sku)],
});
