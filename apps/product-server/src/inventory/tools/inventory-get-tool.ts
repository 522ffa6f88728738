import { inventoryGet } from '@mcpfed/contract-product';
import { toolBinder } from '@mcpfed/mcp-runtime';
import type { ToolBinding } from '@mcpfed/mcp-runtime';
import { InventoryService } from '../service/inventory-service.ts';
import { inventoryDb } from '../store/inventory-tables.ts';
import type { InventoryTables } from '../store/inventory-tables.ts';
import { productLinks } from '../../tools/product-links.ts';

/** inventoryGet -> InventoryService.get. */
export function inventoryGetTool<DB extends InventoryTables>(): ToolBinding<DB> {
  return toolBinder<DB>()(inventoryGet, (input, ctx) => new InventoryService(inventoryDb(ctx.db)).get(input, ctx), {
    links: (output) => productLinks(output.items.map((item) => item.sku)),
  });
}
