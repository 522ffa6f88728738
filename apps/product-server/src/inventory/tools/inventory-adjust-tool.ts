import { inventoryAdjust } from '@mcpfed/contract-product';
import { toolBinder } from '@mcpfed/mcp-runtime';
import type { ToolBinding } from '@mcpfed/mcp-runtime';
import { InventoryService } from '../service/inventory-service.ts';
import { inventoryDb } from '../store/inventory-tables.ts';
import type { InventoryTables } from '../store/inventory-tables.ts';
import { productLinks } from '../../tools/product-links.ts';

/** inventoryAdjust -> InventoryService.adjust. */
export function inventoryAdjustTool<DB extends InventoryTables>(): ToolBinding<DB> {
  return toolBinder<DB>()(inventoryAdjust, (input, ctx) => new InventoryService(inventoryDb(ctx.db)).adjust(input, ctx), {
    links: (output) => productLinks([output.level.sku]),
  });
}
