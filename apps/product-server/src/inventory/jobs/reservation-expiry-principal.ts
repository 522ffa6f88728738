import { systemPrincipal } from '@mcpfed/mcp-runtime';

/**
 * Who expires reservations (the delayed job and the sweeper): id `system:reservation-expiry`, the actor of every
 * `expire` ledger row. Deployed ledgers hold that string: it must never change.
 */
export const RESERVATION_EXPIRY_PRINCIPAL = systemPrincipal('reservation-expiry');
