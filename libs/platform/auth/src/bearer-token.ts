/** `Bearer` (any case), one or more spaces, then one token68 (RFC 9110 §11.4, RFC 6750 §2.1). */
const BEARER = /^[ \t]*bearer +([A-Za-z0-9\-._~+/]+=*)[ \t]*$/i;

/**
 * The bearer token of an `Authorization` header value, or `undefined` when there is none or the header is not
 * exactly one `Bearer <token68>` credential: another scheme, an empty token, several tokens or credentials
 * (`Bearer a, Bearer b`, `Bearer a b`) and characters outside token68 are all rejected. A caller answers
 * `undefined` with 401 and a `WWW-Authenticate` challenge. Tokens in the query string are never read (MCP
 * authorization).
 */
export function bearerToken(authorizationHeader: string | undefined): string | undefined {
  if (authorizationHeader === undefined) return undefined;
  return BEARER.exec(authorizationHeader)?.[1];
}
