import { productSetPrice } from '@mcpfed/contract-product';
import { CatalogService } from '../service/catalog-service.ts';
import { bindTool, callerOf, productLink } from './bind.ts';

/** productSetPrice -> CatalogService.setPrice. */
export const productSetPriceTool = bindTool(productSetPrice, (input, ctx) => new CatalogService(ctx.db, callerOf(ctx)).setPrice(input), {
  links: (output) => [productLink(output.product.sku)],
});
