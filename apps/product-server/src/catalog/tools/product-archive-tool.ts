import { productArchive } from '@mcpfed/contract-product';
import { CatalogService } from '../service/catalog-service.ts';
import { productLink } from '../../tools/product-link.ts';
import { bindTool } from './bind-tool.ts';

/** productArchive -> CatalogService.archive. */
export const productArchiveTool = bindTool(productArchive, (input, ctx) => new CatalogService(ctx.db).archive(input, ctx), {
  links: (output) => [productLink(output.product.sku)],
});
