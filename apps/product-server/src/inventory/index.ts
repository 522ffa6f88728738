/**
 * The inventory part of the product server (stock per location, reservations, the ledger of movements).
 * server.ts, main.ts and the catalog compose it through these exports only; its migration (`0100_inventory`) is in
 * the app's `migrations/`.
 */
export { buildInventoryBindings } from './tools/build-inventory-bindings.ts';
export type { InventoryBindings, InventoryBindingsDeps } from './tools/build-inventory-bindings.ts';
export { DEMO_LOCATIONS, seedInventory } from './seed/seed-inventory.ts';
export type { SeedInventoryOptions, SeedInventoryResult, SeedStockLevel } from './seed/seed-inventory.ts';
export { startInventoryWorkers } from './jobs/start-inventory-workers.ts';
export type { InventoryWorkers, InventoryWorkersDeps } from './jobs/start-inventory-workers.ts';
export { stockBySku } from './service/stock-by-sku.ts';
export type { SkuStockOutput } from './service/inventory-views.ts';
export type { InventoryTables } from './store/inventory-tables.ts';
export type { ReservationExpiryScheduler } from './service/reservation-service.ts';
export { RESERVATION_EXPIRY_QUEUE, createReservationExpiryQueue, expiryJobId } from './jobs/reservation-expiry-queue.ts';
export type { ReservationExpiryJob, ReservationExpiryQueue, ReservationExpiryQueueConfig } from './jobs/reservation-expiry-queue.ts';
