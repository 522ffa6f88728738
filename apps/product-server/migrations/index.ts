import type { Migration } from 'kysely/migration';
import { runtimeMigrations } from '@mcpfed/mcp-runtime';
import { productsMigration } from './0001-products.ts';
import { productImportsMigration } from './0002-product-imports.ts';
import { analyticsViewsMigration } from './0003-analytics-views.ts';
import { lexiconWordsFunctionMigration } from './0004-lexicon-words-function.ts';
import { productSkuPrefixMigration } from './0005-product-sku-prefix.ts';
import { productSearchShuffleMigration } from './0006-product-search-shuffle.ts';
import { inventoryMigration } from './0100-inventory.ts';

/**
 * Every migration of the product database, by name (applied in name order). A deployed database records these
 * names: never rename one. The runtime's idempotency and audit tables (`0000_mcp_runtime_*`), then the catalog's
 * (`0001_`-`0099_`: products, price history, the search lexicon, imports, views), then the inventory's (`0100_`...),
 * whose tables reference `products(sku)`.
 */
export const productMigrations: Record<string, Migration> = {
  ...runtimeMigrations,
  '0001_products': productsMigration,
  '0002_product_imports': productImportsMigration,
  '0003_analytics_views': analyticsViewsMigration,
  '0004_lexicon_words_function': lexiconWordsFunctionMigration,
  '0005_product_sku_prefix': productSkuPrefixMigration,
  '0006_product_search_shuffle': productSearchShuffleMigration,
  '0100_inventory': inventoryMigration,
};
