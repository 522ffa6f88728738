import type { PromptContract, ResourceContract, ToolContract } from '@mcpfed/contract-common';
import { productArchive } from './product-archive.ts';
import { productCreate } from './product-create.ts';
import { productGet } from './product-get.ts';
import { productImport } from './product-import.ts';
import { productImportStatus } from './product-import-status.ts';
import { productLookup } from './product-lookup.ts';
import { defineProductQuerySql } from './product-query-sql.ts';
import { productSearch } from './product-search.ts';
import { productSetPrice } from './product-set-price.ts';
import { productUpdate } from './product-update.ts';
import { catalogCategoriesResource, productResource, productSchemaResource } from './resources.ts';
import { CATALOG_SQL_VIEWS } from './sql-views.ts';
import type { SqlView } from './sql-views.ts';

/** Every relation product_query_sql may read. */
export const PRODUCT_SQL_VIEWS: readonly SqlView[] = CATALOG_SQL_VIEWS;
/** The allow-listed relation names of product_query_sql. */
export const PRODUCT_SQL_RELATIONS: readonly string[] = Object.freeze(PRODUCT_SQL_VIEWS.map((view) => view.name));

/** Runs one read-only SELECT over the product domain's analytics views. */
export const productQuerySql = defineProductQuerySql(PRODUCT_SQL_VIEWS);

export {
  productArchive,
  productCreate,
  productGet,
  productImport,
  productImportStatus,
  productLookup,
  productSearch,
  productSetPrice,
  productUpdate,
  catalogCategoriesResource,
  productResource,
  productSchemaResource,
  CATALOG_SQL_VIEWS,
};
export type { SqlView, SqlViewColumn } from './sql-views.ts';
export { PRODUCT_SEARCH_SORTS, FACET_COUNT_LIMIT } from './product-search.ts';
export { PRODUCT_UPDATABLE_FIELDS } from './product-update.ts';
export { IMPORT_FORMATS, IMPORT_STATUSES, importIdSchema, importJobSchema } from './product-import.ts';
export type { ImportFormat, ImportStatus } from './product-import.ts';
export { MAX_STORED_IMPORT_ERRORS } from './product-import-status.ts';
export { MAX_SQL_ROWS } from './product-query-sql.ts';
export {
  MAX_LOOKUP_SKUS,
  MAX_PRICE_AMOUNT,
  PRODUCT_STATUSES,
  SETTABLE_PRODUCT_STATUSES,
  attributesSchema,
  brandSchema,
  categorySchema,
  descriptionSchema,
  priceInputSchema,
  priceSchema,
  productNameSchema,
  productSchema,
  productSummarySchema,
  skuSchema,
} from './schemas.ts';
export type { ProductStatus } from './schemas.ts';

/** Catalog tools (product_*), in the order tools/list shows them. */
export const catalogTools: readonly ToolContract[] = Object.freeze([
  productSearch,
  productGet,
  productLookup,
  productCreate,
  productUpdate,
  productArchive,
  productSetPrice,
  productImport,
  productImportStatus,
  productQuerySql,
]);
/** Catalog resources. */
export const catalogResources: readonly ResourceContract[] = Object.freeze([productResource, catalogCategoriesResource, productSchemaResource]);
/** Catalog prompts (the inventory part owns the product domain's prompt). */
export const catalogPrompts: readonly PromptContract[] = Object.freeze([]);
