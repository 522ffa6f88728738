import type { z } from 'zod';
import type { ContractOutput } from '@mcpfed/contract-common';
import type { productSchema, productSearch, productSummarySchema } from '@mcpfed/contract-product';
import type { SkuStockOutput } from '../../inventory/index.ts';
import type { SearchHit } from '../store/product-search-store.ts';
import type { PriceChangeRow, ProductRow, ProductWithAvailability } from '../store/product-store.ts';

/** The wire shape of a product (product_get and every write's result). */
export type ProductOutput = z.input<typeof productSchema>;
/** The wire shape of a product in lists. */
export type ProductSummaryOutput = z.input<typeof productSummarySchema>;
/** The wire shape of a search hit. */
export type SearchItemOutput = ContractOutput<typeof productSearch>['items'][number];

type Attributes = ProductOutput['attributes'];

/** A product with its stock and recent prices, as the tools return it. */
export function productView(row: ProductRow, stock: SkuStockOutput, history: readonly PriceChangeRow[]): ProductOutput {
  return {
    sku: row.sku,
    name: row.name,
    brand: row.brand,
    category: row.category,
    description: row.description,
    status: row.status,
    price: { amount: row.price_amount, currency: row.currency },
    attributes: row.attributes as Attributes,
    version: row.version,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
    archived_at: row.archived_at === null ? null : row.archived_at.toISOString(),
    stock,
    price_history: history.map((change) => ({
      price: { amount: change.price_amount, currency: change.currency },
      changed_at: change.changed_at.toISOString(),
      changed_by: change.changed_by,
      reason: change.reason,
    })),
  };
}

/** A product in a list, with its available units. */
export function summaryView(row: ProductWithAvailability): ProductSummaryOutput {
  return {
    sku: row.sku,
    name: row.name,
    brand: row.brand,
    category: row.category,
    status: row.status,
    price: { amount: row.price_amount, currency: row.currency },
    version: row.version,
    available: row.available,
    in_stock: row.available > 0,
  };
}

/** A search hit; relevance rounded to 4 decimals for reading (the cursor keeps the exact score). */
export function searchItemView(row: SearchHit): SearchItemOutput {
  return { ...summaryView(row), relevance: row.score === null ? null : Math.round(row.score * 10_000) / 10_000 };
}
