/** What a {@link ServiceTokenSource} is asked for. */
export interface ServiceTokenRequest {
  /** The `aud` the token must carry: the federation audience (`mcpfed`) or one server's resource URL. */
  audience: string;
  /**
   * The caller's access token, to exchange (RFC 8693) for one addressed to `audience`: `sub` stays the caller, `act`
   * names this service. Cached per (caller token, audience) until shortly before the new token expires (never after
   * the caller's). Without it: the service's own token (client credentials).
   */
  subjectToken?: string;
  /** Aborts the wait (a shared fetch in progress keeps running for other callers). */
  signal?: AbortSignal;
  /**
   * Ignore a cached token and fetch a new one, e.g. after an upstream answered 401 to the cached one
   * (issuer key rotated, token revoked). Default false.
   */
  refresh?: boolean;
}

/** Where a server gets the bearer token it sends to another server. */
export interface ServiceTokenSource {
  /**
   * A valid access token for `audience`: the service's own, or with `subjectToken` one exchanged for the caller's
   * (`sub` = the caller, `act.sub` = this service). Cached until shortly before expiry.
   */
  token(request: ServiceTokenRequest): Promise<string>;
}
