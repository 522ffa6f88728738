import { AppError } from '@mcpfed/errors';

/** NOT_FOUND for an unknown SKU, worded for a model. */
export function productNotFound(sku: string): AppError {
  return new AppError('NOT_FOUND', `No product has the SKU ${sku}. SKUs are upper case; find the product with product_search.`, {
    details: { sku },
  });
}
