/**
 * Where the router gets the bearer token it sends with its own identity: to discover upstreams, and for the
 * calls of a local (stdio) client, acting for that client. The subset of @mcpfed/auth's `ServiceTokenSource`
 * the router needs, so any implementation of that (client credentials in production, a dev issuer in tests)
 * fits.
 */
export interface ServiceTokens {
  /** A valid access token for `audience`: the router's own, or with `subjectToken` one exchanged for the caller's. */
  token(request: { audience: string; subjectToken?: string; signal?: AbortSignal }): Promise<string>;
}
