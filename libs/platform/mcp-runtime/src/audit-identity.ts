import type { Principal } from '@mcpfed/auth';

/** Who an audit record names. */
export interface AuditIdentity {
  /** The caller the record is about (`principal_id`). */
  readonly principalId: string;
  /**
   * The delegation chain from the token's `act` claim (RFC 8693 §4.1), most recent actor first (`actors`): e.g.
   * `['order-server', 'router']` when the router exchanged the caller's token and the order server exchanged that
   * one. Empty when the principal calls for itself.
   */
  readonly actors: readonly string[];
}

/**
 * The one place the audit trail reads a principal's fields: a change to what identifies a caller (e.g. `sub` = the
 * caller, `act.sub` = the service acting for it) is an edit here.
 */
export function auditIdentity(principal: Principal): AuditIdentity {
  // An exchanged token names the caller in `sub` and the services in `act`: a row reads "caller X, through Y, Z".
  return { principalId: principal.id, actors: principal.actors ?? [] };
}
