import { inventoryCommit } from '@mcpfed/contract-product';
import { toolBinder } from '@mcpfed/mcp-runtime';
import type { ToolBinding } from '@mcpfed/mcp-runtime';
import { ReservationService } from '../service/reservation-service.ts';
import { inventoryDb } from '../store/inventory-tables.ts';
import type { InventoryTables } from '../store/inventory-tables.ts';
import { productLinks } from '../../tools/product-links.ts';

/** inventoryCommit -> ReservationService.commit. */
export function inventoryCommitTool<DB extends InventoryTables>(): ToolBinding<DB> {
  return toolBinder<DB>()(inventoryCommit, (input, ctx) => new ReservationService(inventoryDb(ctx.db)).commit(input, ctx), {
    links: (output) => productLinks(output.reservation.lines.map((line) => line.sku)),
  });
}
