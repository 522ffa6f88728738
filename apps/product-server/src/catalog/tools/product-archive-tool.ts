import { productArchive } from '@mcpfed/contract-product';
import { CatalogService } from '../service/catalog-service.ts';
import { bindTool, callerOf, productLink } from './bind.ts';

/** productArchive -> CatalogService.archive. */
export const productArchiveTool = bindTool(productArchive, (input, ctx) => new CatalogService(ctx.db, callerOf(ctx)).archive(input), {
  links: (output) => [productLink(output.product.sku)],
});
