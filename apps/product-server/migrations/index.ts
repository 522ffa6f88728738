import type { Migration } from 'kysely/migration';
import { runtimeMigrations } from '@mcpfed/mcp-runtime';
import { inventoryMigrations } from '../src/inventory/index.ts';
import { productsMigration } from './0001-products.ts';
import { productImportsMigration } from './0002-product-imports.ts';
import { analyticsViewsMigration } from './0003-analytics-views.ts';
import { lexiconWordsFunctionMigration } from './0004-lexicon-words-function.ts';
import { productSkuPrefixMigration } from './0005-product-sku-prefix.ts';

/** The catalog's migrations (`0001_`-`0099_`): products, price history, the search lexicon, imports, views. */
export const catalogMigrations: Record<string, Migration> = {
  '0001_products': productsMigration,
  '0002_product_imports': productImportsMigration,
  '0003_analytics_views': analyticsViewsMigration,
  '0004_lexicon_words_function': lexiconWordsFunctionMigration,
  '0005_product_sku_prefix': productSkuPrefixMigration,
};

/**
 * Every migration of the product database, by name (applied in name order): the runtime's idempotency and audit
 * tables, the catalog's, then the inventory's (`0100_`...), whose tables reference `products(sku)`.
 */
export const productMigrations: Record<string, Migration> = {
  ...runtimeMigrations,
  ...catalogMigrations,
  ...inventoryMigrations,
};
