import type { PromptContract, ResourceContract, ToolContract } from '@mcpfed/contract-common';
import { inventoryAdjust } from './inventory-adjust.ts';
import { inventoryCommit } from './inventory-commit.ts';
import { inventoryGet } from './inventory-get.ts';
import { inventoryLowStock } from './inventory-low-stock.ts';
import { inventoryMovements } from './inventory-movements.ts';
import { inventoryRelease } from './inventory-release.ts';
import { inventoryReserve } from './inventory-reserve.ts';
import { inventoryLowStockTriage } from './prompts.ts';

export { inventoryAdjust, inventoryCommit, inventoryGet, inventoryLowStock, inventoryMovements, inventoryRelease, inventoryReserve, inventoryLowStockTriage };
export { DEFAULT_LOW_STOCK_THRESHOLD } from './inventory-low-stock.ts';
export { reserveLineSchema } from './inventory-reserve.ts';
export {
  ADJUST_REASONS,
  DEFAULT_RESERVATION_TTL_SECONDS,
  INVENTORY_FAILURE_REASONS,
  MAX_ADJUST_DELTA,
  MAX_INVENTORY_LINES,
  MAX_LINE_QUANTITY,
  MAX_RESERVATION_TTL_SECONDS,
  MOVEMENT_KINDS,
  RESERVATION_STATUSES,
  inventoryTimestampSchema,
  locationSchema,
  locationStockSchema,
  movementSchema,
  orderReferenceSchema,
  reservationIdSchema,
  reservationLineSchema,
  reservationSchema,
  skuStockSchema,
  stockLevelSchema,
  stockSkuSchema,
} from './schemas.ts';
export type { AdjustReason, InventoryFailureReason, MovementKind, ReservationStatus } from './schemas.ts';

/** Inventory tools (inventory_*), in the order tools/list shows them. */
export const inventoryTools: readonly ToolContract[] = [
  inventoryGet,
  inventoryAdjust,
  inventoryReserve,
  inventoryCommit,
  inventoryRelease,
  inventoryLowStock,
  inventoryMovements,
];
/** Inventory resources (none: stock is read with inventory_get and linked as the catalog's product://{sku}). */
export const inventoryResources: readonly ResourceContract[] = [];
/** Inventory prompts. */
export const inventoryPrompts: readonly PromptContract[] = [inventoryLowStockTriage];
