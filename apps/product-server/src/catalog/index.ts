/** The catalog part of the product server (products, search, prices, imports): server.ts and main.ts compose it through these exports only. */
export { buildCatalogBindings } from './tools/build-catalog-bindings.ts';
export type { CatalogBindings, CatalogBindingsDeps } from './tools/build-catalog-bindings.ts';
export { createImportQueue, PRODUCT_IMPORT_QUEUE } from './jobs/import-queue.ts';
export type { ImportJobData, ImportQueue, ImportQueueConfig } from './jobs/import-queue.ts';
export { startImportWorker } from './jobs/import-worker.ts';
export type { ImportWorker, ImportWorkerDeps } from './jobs/import-worker.ts';
export type { ImportRunConfig } from './jobs/run-import.ts';
export { normalizeAllowedHost } from './service/import/import-url-guard.ts';
export type { ImportServiceDeps } from './service/import/import-service.ts';
export type { CatalogTables } from './store/catalog-tables.ts';
export { SQL_READER_ROLE, ensureSqlReaderRole } from './store/sql-reader-role.ts';
export { searchConnectionString } from './store/product-search-store.ts';
export { CORRECTION_THRESHOLD } from './service/search-query.ts';
