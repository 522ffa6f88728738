import { startReservationExpiry } from './start-reservation-expiry.ts';
import type { ReservationExpiryHandle, ReservationExpiryWorkerConfig } from './start-reservation-expiry.ts';
import type { InventoryTables } from '../store/inventory-tables.ts';

/** Collaborators of {@link startInventoryWorkers}; see each field's default. */
export type InventoryWorkersDeps<DB extends InventoryTables> = ReservationExpiryWorkerConfig<DB>;

/** The running inventory workers. */
export type InventoryWorkers = ReservationExpiryHandle;

/**
 * Starts inventory's background work inside the server process: the reservation expiry worker (BullMQ, when a
 * connection is given) and the overdue-reservation sweeper. main.ts `serve` starts it and closes it in
 * runMcpServer's shutdownSteps: `{ name: 'inventory workers', run: () => workers.close() }`.
 */
export function startInventoryWorkers<DB extends InventoryTables>(deps: InventoryWorkersDeps<DB>): Promise<InventoryWorkers> {
  return startReservationExpiry(deps);
}
