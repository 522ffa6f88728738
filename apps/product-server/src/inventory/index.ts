/**
 * The inventory part of the product server (stock per location, reservations, the ledger of movements).
 * server.ts and main.ts compose it with the catalog part through these exports only.
 *
 * Wiring (main.ts `serve`, HTTP):
 * ```ts
 * const expiry = createReservationExpiryQueue({ connection: createRedisConnection({ url: config.REDIS_URL, name: 'product-server:queue', logger }), prefix: '{mcpfed:product}', logger });
 * const inventory = buildInventoryBindings<ProductDatabase>({ expiry });
 * const workers = await startInventoryWorkers({ db: database.db, logger, connection: createRedisConnection({ url: config.REDIS_URL, name: 'product-server:worker', logger }), prefix: '{mcpfed:product}' });
 * // tools: [...catalog.tools, ...inventory.tools], prompts: [...catalog.prompts, ...inventory.prompts]
 * // shutdownSteps: [{ name: 'inventory workers', run: () => workers.close() }, { name: 'expiry queue', run: () => expiry.close() }]
 * ```
 * Migrations: `{ ...runtimeMigrations, ...catalogMigrations, ...inventoryMigrations }` (inventory's sort last).
 */
export { buildInventoryBindings } from './build-inventory-bindings.ts';
export type { InventoryBindings, InventoryBindingsDeps } from './build-inventory-bindings.ts';
export { inventoryMigrations } from './migrations/index.ts';
export { DEMO_LOCATIONS, seedInventory } from './seed/seed-inventory.ts';
export type { SeedInventoryOptions, SeedInventoryResult, SeedStockLevel } from './seed/seed-inventory.ts';
export { startInventoryWorkers } from './start-inventory-workers.ts';
export type { InventoryWorkers, InventoryWorkersDeps } from './start-inventory-workers.ts';
export { stockBySku } from './store/stock-by-sku.ts';
export type { SkuStockOutput } from './service/inventory-views.ts';
export type { InventoryTables } from './store/inventory-tables.ts';
export type { ReservationExpiryScheduler } from './service/reservation-service.ts';
export { RESERVATION_EXPIRY_QUEUE, createReservationExpiryQueue, expiryJobId } from './workers/reservation-expiry.ts';
export type { ReservationExpiryJob, ReservationExpiryQueue, ReservationExpiryQueueConfig } from './workers/reservation-expiry.ts';
