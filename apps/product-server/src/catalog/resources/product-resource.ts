import { productResource, skuSchema } from '@mcpfed/contract-product';
import { AppError } from '@mcpfed/errors';
import { resourceBinder } from '@mcpfed/mcp-runtime';
import type { ProductDatabase } from '../../store/product-database.ts';
import { CatalogService } from '../service/catalog-service.ts';
import { skuCompleter } from '../service/sku-completer.ts';

/** `product://{sku}`: the product_get JSON. An unknown or malformed SKU is NOT_FOUND. */
export const productResourceBinding = resourceBinder<ProductDatabase>()(
  productResource,
  async (uri, params, ctx) => {
    const sku = skuSchema.safeParse(params['sku']);
    if (!sku.success) {
      throw new AppError('NOT_FOUND', `No product resource ${uri}; SKUs look like HP-0001234 (upper case).`, { details: { uri } });
    }
    const product = await new CatalogService(ctx.db).product(sku.data, ctx);
    return [{ uri, mimeType: 'application/json', text: JSON.stringify(product) }];
  },
  { complete: { sku: skuCompleter } },
);
