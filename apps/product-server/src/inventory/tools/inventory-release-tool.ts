import { inventoryRelease } from '@mcpfed/contract-product';
import { toolBinder } from '@mcpfed/mcp-runtime';
import type { ToolBinding } from '@mcpfed/mcp-runtime';
import { ReservationService } from '../service/reservation-service.ts';
import { inventoryDb } from '../store/inventory-tables.ts';
import type { InventoryTables } from '../store/inventory-tables.ts';
import { productLinks } from '../../tools/product-links.ts';

/** inventoryRelease -> ReservationService.release. */
export function inventoryReleaseTool<DB extends InventoryTables>(): ToolBinding<DB> {
  return toolBinder<DB>()(inventoryRelease, (input, ctx) => new ReservationService(inventoryDb(ctx.db)).release(input, ctx), {
    links: (output) => productLinks(output.reservation.lines.map((line) => line.sku)),
  });
}
