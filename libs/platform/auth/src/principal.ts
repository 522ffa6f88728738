/** Who is calling: derived from a verified bearer token (HTTP) or from the environment (stdio). */
export interface Principal {
  /**
   * Stable identifier used for audit, idempotency and rate limits: the token's `sub` claim (a verifier trusts
   * exactly one issuer, so `sub` is unique within it) or `local:<name>` for a stdio principal.
   */
  readonly id: string;
  /** The `sub` claim (or the configured stdio principal name). */
  readonly subject: string;
  /** Granted scopes (from the `scope` claim, space-separated). */
  readonly scopes: ReadonlySet<string>;
  /**
   * From standard claims only: `service` for a service's own token (client credentials: `sub` equals the RFC 9068
   * `client_id` claim, and no `act`), `user` for any other token (a person's, or one exchanged for a person's, whose
   * `sub` stays that person), `local` for stdio.
   */
  readonly kind: 'user' | 'service' | 'local';
  /**
   * The party acting for the subject, from an exchanged token's `act.sub` (RFC 8693 §4.1): e.g. `router` when the
   * router called with a token it exchanged for this caller's. Absent when the subject calls for itself.
   */
  readonly actor?: string;
  /** Every party in the delegation chain, most recent first (`act.sub`, then `act.act.sub`, ...). Absent with `actor`. */
  readonly actors?: readonly string[];
  /** The raw bearer token, kept so a server can forward it to another server. Never logged. */
  readonly token?: string;
  /** Token expiry, epoch seconds, when there is a token. */
  readonly expiresAt?: number;
  /**
   * The customer this principal is or acts for (the token's customer claim, `AUTH_CUSTOMER_CLAIM`, default
   * `customer_id`; under stdio `STDIO_CUSTOMER_ID`). A bound principal reaches only this customer's data, whatever its
   * scopes; an unbound one reaches customers only with `customer:any` (see `customerReachOf`).
   */
  readonly customerId?: string;
}
