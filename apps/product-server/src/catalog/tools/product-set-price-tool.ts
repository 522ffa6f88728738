import { productSetPrice } from '@mcpfed/contract-product';
import { CatalogService } from '../service/catalog-service.ts';
import { productLink } from '../../tools/product-link.ts';
import { bindTool } from './bind-tool.ts';

/** productSetPrice -> CatalogService.setPrice. */
export const productSetPriceTool = bindTool(productSetPrice, (input, ctx) => new CatalogService(ctx.db).setPrice(input, ctx), {
  links: (output) => [productLink(output.product.sku)],
});
