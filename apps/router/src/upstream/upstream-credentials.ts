import type { Principal } from '@mcpfed/auth';
import { AppError } from '@mcpfed/errors';
import type { ServiceTokens } from './service-tokens.ts';

/** Settings of {@link UpstreamCredentials}. */
export interface UpstreamCredentialsConfig {
  /** `aud` of the service tokens asked for a local caller (the federation audience, `mcpfed`). */
  audience: string;
  /** A source of the router's service tokens that asks the token endpoint for exactly `scopes` (client credentials `scope`). */
  serviceTokens: (scopes: readonly string[]) => ServiceTokens;
  /** Scopes the router's client may ask for at all (SERVICE_SCOPES). */
  serviceScopes: readonly string[];
  /** The local caller when serving stdio (its scopes are STDIO_SCOPES); absent when serving HTTP. */
  localPrincipal?: Principal | undefined;
}

/**
 * The one place that decides which bearer token goes upstream with a caller's request:
 * - an HTTP caller's own verified token, unchanged (the upstream verifies it again and applies its scopes,
 *   limits and audit);
 * - for the local (stdio) caller, a service token acting for it (`act.sub` = `local:<name>`) asked for with the
 *   caller's scopes only (STDIO_SCOPES, as far as SERVICE_SCOPES allows), so the upstream holds it to them too.
 *   The router's own token, with every scope, is for discovery and never goes upstream for a caller.
 * A caller that fits neither gets no token rather than the router's.
 */
export class UpstreamCredentials {
  /** Scopes of the local caller that the router's client cannot ask for: the upstreams refuse what needs them. */
  readonly droppedLocalScopes: readonly string[];
  readonly #audience: string;
  readonly #local: { principalId: string; tokens: ServiceTokens } | undefined;

  /** @throws AppError VALIDATION_FAILED when the local caller holds none of the scopes the router's client may ask for. */
  constructor(config: UpstreamCredentialsConfig) {
    this.#audience = config.audience;
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
      throw new AppError('VALIDATION_FAILED', `STDIO_SCOPES grants none of the scopes the router's client may ask for (SERVICE_SCOPES: ${config.serviceScopes.join(' ')})`);
    }
    this.droppedLocalScopes = Object.freeze(own.filter((scope) => !allowed.has(scope)));
    this.#local = { principalId: principal.id, tokens: config.serviceTokens(scopes) };
  }

  /** The bearer token to send upstream for `principal`. */
  tokenFor(principal: Principal, signal?: AbortSignal): Promise<string> {
    if (principal.kind === 'local') {
      if (this.#local === undefined || this.#local.principalId !== principal.id) {
        return Promise.reject(new AppError('INTERNAL', `no upstream credentials for the local caller ${principal.id}`));
      }
      return this.#local.tokens.token({ audience: this.#audience, actingFor: principal.id, ...(signal ? { signal } : {}) });
    }
    if (principal.token !== undefined && principal.token.length > 0) return Promise.resolve(principal.token);
    return Promise.reject(new AppError('UNAUTHENTICATED', 'the request carries no bearer token to forward'));
  }
}
