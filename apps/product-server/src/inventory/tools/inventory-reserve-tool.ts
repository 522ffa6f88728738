import { inventoryReserve } from '@mcpfed/contract-product';
import { toolBinder } from '@mcpfed/mcp-runtime';
import type { ToolBinding } from '@mcpfed/mcp-runtime';
import { ReservationService } from '../service/reservation-service.ts';
import type { ReservationExpiryScheduler } from '../service/reservation-service.ts';
import { inventoryDb } from '../store/inventory-tables.ts';
import type { InventoryTables } from '../store/inventory-tables.ts';
import { productLinks } from '../../tools/product-links.ts';

/**
 * inventoryReserve -> ReservationService.reserve, in the runtime's transaction: the idempotency record by key,
 * the reservation and the audit row commit together. Scheduling the expiry job (Redis) inside that transaction
 * is safe: a job whose reservation rolled back finds nothing to expire.
 */
export function inventoryReserveTool<DB extends InventoryTables>(scheduler: ReservationExpiryScheduler | undefined): ToolBinding<DB> {
  return toolBinder<DB>()(inventoryReserve, (input, ctx) => new ReservationService(inventoryDb(ctx.db), scheduler).reserve(input, ctx), {
    links: (output) => productLinks(output.reservation.lines.map((line) => line.sku)),
  });
}
