import type { PromptBinding, ResourceBinding, ToolBinding } from '@mcpfed/mcp-runtime';
import { inventoryLowStockTriagePrompt } from '../prompts/inventory-low-stock-triage-prompt.ts';
import type { ReservationExpiryScheduler } from '../service/reservation-service.ts';
import type { InventoryTables } from '../store/inventory-tables.ts';
import { inventoryAdjustTool } from './inventory-adjust-tool.ts';
import { inventoryCommitTool } from './inventory-commit-tool.ts';
import { inventoryGetTool } from './inventory-get-tool.ts';
import { inventoryLowStockTool } from './inventory-low-stock-tool.ts';
import { inventoryMovementsTool } from './inventory-movements-tool.ts';
import { inventoryReleaseTool } from './inventory-release-tool.ts';
import { inventoryReserveTool } from './inventory-reserve-tool.ts';

/** Collaborators of the inventory bindings (the database comes with each call's context). */
export interface InventoryBindingsDeps {
  /**
   * Schedules each new reservation's expiry: `createReservationExpiryQueue(...)` (a delayed BullMQ job). Omit it
   * only where there is no Redis (stdio): reservations then expire through the sweeper of
   * `startInventoryWorkers`, up to one sweep interval late.
   */
  expiry?: ReservationExpiryScheduler;
}

/** The inventory part of the product server's MCP surface. */
export interface InventoryBindings<DB> {
  tools: ToolBinding<DB>[];
  resources: ResourceBinding<DB>[];
  prompts: PromptBinding<DB>[];
}

/**
 * Binds every inventory contract entry (inventory_get, _adjust, _reserve, _commit, _release, _low_stock,
 * _movements and the inventory_low_stock_triage prompt) for the product database `DB`, which must contain the
 * inventory tables. Spread the result next to the catalog's bindings.
 */
export function buildInventoryBindings<DB extends InventoryTables>(deps: InventoryBindingsDeps = {}): InventoryBindings<DB> {
  return {
    tools: [
      inventoryGetTool<DB>(),
      inventoryAdjustTool<DB>(),
      inventoryReserveTool<DB>(deps.expiry),
      inventoryCommitTool<DB>(),
      inventoryReleaseTool<DB>(),
      inventoryLowStockTool<DB>(),
      inventoryMovementsTool<DB>(),
    ],
    resources: [],
    prompts: [inventoryLowStockTriagePrompt<DB>()],
  };
}
