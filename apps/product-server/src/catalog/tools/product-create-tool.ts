import { productCreate } from '@mcpfed/contract-product';
import { CatalogService } from '../service/catalog-service.ts';
import { productLink } from '../../tools/product-link.ts';
import { bindTool } from './bind-tool.ts';

/** productCreate -> CatalogService.create. */
export const productCreateTool = bindTool(productCreate, (input, ctx) => new CatalogService(ctx.db).create(input, ctx), {
  links: (output) => [productLink(output.product.sku)],
});
