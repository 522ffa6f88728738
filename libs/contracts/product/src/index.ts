import type { DomainContract } from '@mcpfed/contract-common';
import { catalogPrompts, catalogResources, catalogTools } from './catalog/index.ts';
import { inventoryPrompts, inventoryResources, inventoryTools } from './inventory/index.ts';

// Catalog names (owned by the catalog part):
export {
  catalogPrompts, catalogResources, catalogTools,
  productArchive, productCreate, productGet, productImport, productImportStatus, productLookup, productQuerySql, productSearch,
  productSetPrice, productUpdate, catalogCategoriesResource, productResource, productSchemaResource, CATALOG_SQL_VIEWS,
  PRODUCT_SQL_VIEWS, PRODUCT_SQL_RELATIONS, PRODUCT_SEARCH_SORTS, FACET_COUNT_LIMIT, PRODUCT_UPDATABLE_FIELDS, IMPORT_FORMATS,
  IMPORT_STATUSES, importIdSchema, importJobSchema, MAX_STORED_IMPORT_ERRORS, MAX_SQL_ROWS, MAX_LOOKUP_SKUS, MAX_PRICE_AMOUNT,
  PRODUCT_STATUSES, SETTABLE_PRODUCT_STATUSES, attributesSchema, brandSchema, categorySchema, descriptionSchema, priceInputSchema,
  priceSchema, productNameSchema, productSchema, productSummarySchema, skuSchema,
} from './catalog/index.ts';
export type { ImportFormat, ImportStatus, ProductStatus, SqlView, SqlViewColumn } from './catalog/index.ts';
// Inventory names (owned by the inventory part):
export {
  inventoryPrompts, inventoryResources, inventoryTools,
  inventoryAdjust, inventoryCommit, inventoryGet, inventoryLowStock, inventoryMovements, inventoryRelease, inventoryReserve,
  inventoryLowStockTriage, reserveLineSchema, DEFAULT_LOW_STOCK_THRESHOLD, ADJUST_REASONS, DEFAULT_RESERVATION_TTL_SECONDS,
  INVENTORY_FAILURE_REASONS, MAX_ADJUST_DELTA, MAX_INVENTORY_LINES, MAX_LINE_QUANTITY, MAX_RESERVATION_TTL_SECONDS,
  MOVEMENT_KINDS, RESERVATION_STATUSES, inventoryTimestampSchema, locationSchema, locationStockSchema, movementSchema,
  orderReferenceSchema, reservationIdSchema, reservationLineSchema, reservationSchema, skuStockSchema, stockLevelSchema,
  stockSkuSchema,
} from './inventory/index.ts';
export type { AdjustReason, InventoryFailureReason, MovementKind, ReservationStatus } from './inventory/index.ts';

/** Everything the product domain offers: catalog and inventory. */
export const productContract: DomainContract = {
  domain: 'product',
  tools: [...catalogTools, ...inventoryTools],
  resources: [...catalogResources, ...inventoryResources],
  prompts: [...catalogPrompts, ...inventoryPrompts],
};
