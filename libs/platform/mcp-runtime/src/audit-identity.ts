import type { Principal } from '@mcpfed/auth';

/** Who an audit record names. */
export interface AuditIdentity {
  /** The caller the record is about (`principal_id`). */
  readonly principalId: string;
  /** The service acting for that caller, or the caller a service acts for (`acting_for`), if any. */
  readonly actingFor: string | undefined;
}

/**
 * The one place the audit trail reads a principal's fields: a change to what identifies a caller (e.g. `sub` = the
 * caller, `act.sub` = the service acting for it) is an edit here.
 */
export function auditIdentity(principal: Principal): AuditIdentity {
  // An exchanged token names the caller in `sub` and the service in `act`: the actor goes where a service token's
  // acting-for subject went, so a row reads "caller X, through service Y" either way.
  return { principalId: principal.id, actingFor: principal.actor ?? principal.actingFor };
}
