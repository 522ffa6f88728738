/** Who a service call is for: the parts of the request context the inventory rules need. */
export interface InventoryCaller {
  /** Principal id: the actor of ledger rows and the creator of reservations. */
  readonly actor: string;
  /** Aborted at the call's deadline or on cancellation; passed on to queries. */
  readonly signal?: AbortSignal | undefined;
}

/** The actor of ledger rows written by the reservation expiry (job or sweeper). */
export const EXPIRY_ACTOR = 'system:reservation-expiry';
