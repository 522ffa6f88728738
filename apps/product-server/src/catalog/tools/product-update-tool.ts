import { productUpdate } from '@mcpfed/contract-product';
import { CatalogService } from '../service/catalog-service.ts';
import { productLink } from '../../tools/product-link.ts';
import { bindTool } from './bind-tool.ts';

/** productUpdate -> CatalogService.update. */
export const productUpdateTool = bindTool(productUpdate, (input, ctx) => new CatalogService(ctx.db).update(input, ctx), {
  links: (output) => [productLink(output.product.sku)],
});
