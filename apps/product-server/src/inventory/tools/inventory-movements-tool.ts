import { inventoryMovements } from '@mcpfed/contract-product';
import { toolBinder } from '@mcpfed/mcp-runtime';
import type { ToolBinding } from '@mcpfed/mcp-runtime';
import { InventoryService } from '../service/inventory-service.ts';
import { inventoryDb } from '../store/inventory-tables.ts';
import type { InventoryTables } from '../store/inventory-tables.ts';
import { productLinks } from '../../tools/product-links.ts';

/** inventoryMovements -> InventoryService.movements. */
export function inventoryMovementsTool<DB extends InventoryTables>(): ToolBinding<DB> {
  return toolBinder<DB>()(inventoryMovements, (input, ctx) => new InventoryService(inventoryDb(ctx.db)).movements(input, ctx), {
    links: (output) => productLinks(output.items.map((item) => item.sku)),
  });
}
