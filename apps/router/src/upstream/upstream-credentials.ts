import type { Principal } from '@mcpfed/auth';
import { AppError } from '@mcpfed/errors';
import type { ServiceTokens } from './service-tokens.ts';

/** Settings of {@link UpstreamCredentials}. */
export interface UpstreamCredentialsConfig {
  /**
   * `aud` of the service tokens asked for a local caller in `forward` mode (the audience every upstream then accepts);
   * in `exchange` mode each upstream's own resource identifier is used instead.
   */
  audience: string;
  /** A source of the router's service tokens that asks the token endpoint for exactly `scopes` (client credentials `scope`). */
  serviceTokens: (scopes: readonly string[]) => ServiceTokens;
  /** Scopes the router's client may ask for at all (SERVICE_SCOPES). */
  serviceScopes: readonly string[];
  /** The local caller when serving stdio (its scopes are STDIO_SCOPES); absent when serving HTTP. */
  localPrincipal?: Principal | undefined;
  /**
   * How an HTTP caller's request is authorized upstream (ROUTER_UPSTREAM_AUTH): `exchange` (RFC 8693: the caller's
   * token is exchanged for one addressed to the upstream, naming the router in `act`) or `forward` (the caller's
   * token unchanged, for an issuer without token exchange: every upstream must then accept the router's audience).
   * Default `exchange`.
   */
  upstreamAuth?: 'exchange' | 'forward';
  /** The router's token source for exchanges (any scopes: an exchange keeps the caller's). Needed for `exchange`. */
  exchangeTokens?: ServiceTokens | undefined;
}

/**
 * The one place that decides which bearer token goes upstream with a caller's request:
 * - an HTTP caller's token exchanged (RFC 8693) for one addressed to that upstream, with `act` naming the router
 *   (`exchange`: no token passthrough), or its own verified token unchanged (`forward`, for issuers without token
 *   exchange); either way the upstream verifies it and applies the caller's scopes, limits and audit;
 * - for the local (stdio) caller, the router's own token asked for with the caller's scopes only (STDIO_SCOPES, as far
 *   as SERVICE_SCOPES allows), so the upstream holds it to them too; the upstream's principal is then the router (a
 *   local caller has no token of its own to exchange, and no standard claim names a caller without one).
 *   The router's own token, with every scope, is for discovery and never goes upstream for a caller.
 * A caller that fits neither gets no token rather than the router's.
 */
export class UpstreamCredentials {
  /** Scopes of the local caller that the router's client cannot ask for: the upstreams refuse what needs them. */
  readonly droppedLocalScopes: readonly string[];
  readonly #audience: string;
  readonly #local: { principalId: string; tokens: ServiceTokens } | undefined;
  readonly #exchange: ServiceTokens | undefined;

  /** @throws AppError VALIDATION_FAILED when the local caller holds none of the scopes the router's client may ask for. */
  constructor(config: UpstreamCredentialsConfig) {
    this.#audience = config.audience;
    if (config.upstreamAuth === 'exchange' && config.exchangeTokens === undefined) {
      throw new AppError('VALIDATION_FAILED', 'UpstreamCredentials: upstreamAuth exchange needs exchangeTokens');
    }
    this.#exchange = config.upstreamAuth === 'exchange' ? config.exchangeTokens : undefined;
    const principal = config.localPrincipal;
    if (principal === undefined) {
      this.#local = undefined;
      this.droppedLocalScopes = [];
      return;
    }
    const allowed = new Set(config.serviceScopes);
    const own = [...principal.scopes];
    const scopes = own.filter((scope) => allowed.has(scope));
    if (scopes.length === 0) {
      throw new AppError(
        'VALIDATION_FAILED',
        `STDIO_SCOPES grants none of the scopes the router's client may ask for (SERVICE_SCOPES: ${config.serviceScopes.join(' ')})`,
      );
    }
    this.droppedLocalScopes = Object.freeze(own.filter((scope) => !allowed.has(scope)));
    this.#local = { principalId: principal.id, tokens: config.serviceTokens(scopes) };
  }

  /**
   * The bearer token to send to the upstream whose resource identifier is `upstreamAudience` for `principal`: in
   * `exchange` mode the caller's token exchanged for that audience (cached per caller token and upstream).
   */
  tokenFor(principal: Principal, signal?: AbortSignal, upstreamAudience?: string): Promise<string> {
    if (principal.kind === 'local') {
      if (this.#local === undefined || this.#local.principalId !== principal.id) {
        return Promise.reject(new AppError('INTERNAL', `no upstream credentials for the local caller ${principal.id}`));
      }
      const audience = this.#exchange !== undefined && upstreamAudience !== undefined ? upstreamAudience : this.#audience;
      return this.#local.tokens.token({ audience, ...(signal ? { signal } : {}) });
    }
    if (principal.token !== undefined && principal.token.length > 0) {
      if (this.#exchange === undefined) return Promise.resolve(principal.token);
      if (upstreamAudience === undefined) return Promise.reject(new AppError('INTERNAL', 'no upstream audience to exchange the caller token for'));
      return this.#exchange.token({ audience: upstreamAudience, subjectToken: principal.token, ...(signal ? { signal } : {}) });
    }
    return Promise.reject(new AppError('UNAUTHENTICATED', 'the request carries no bearer token to forward'));
  }
}
