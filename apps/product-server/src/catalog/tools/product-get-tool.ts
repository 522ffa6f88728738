import { productGet } from '@mcpfed/contract-product';
import { CatalogService } from '../service/catalog-service.ts';
import { productLink } from '../../tools/product-link.ts';
import { bindTool } from './bind-tool.ts';

/** productGet -> CatalogService.get. */
export const productGetTool = bindTool(productGet, (input, ctx) => new CatalogService(ctx.db).get(input, ctx), {
  links: (output) => [productLink(output.sku)],
});
