import { optionSchemas, parseOptions } from '@mcpfed/errors';
import { z } from 'zod';
import { isScopeToken } from './scope-token.ts';

/** Options of {@link protectedResourceMetadata}. */
export interface ProtectedResourceMetadataOptions {
  /** This server's resource identifier (RFC 8707 canonical URI, e.g. `http://127.0.0.1:8081`); no fragment. */
  resource: string;
  /** Issuer URLs of the authorization servers whose tokens this server accepts; at least one (MCP authorization). */
  authorizationServers: readonly string[];
  /** Scopes this server understands (e.g. `customer:read customer:write`). */
  scopesSupported: readonly string[];
  /** Human-readable name shown to users by clients. Default: omitted. */
  resourceName?: string;
  /** URL of human-readable documentation for developers. Default: omitted. */
  resourceDocumentation?: string;
}

/** The JSON document served at `/.well-known/oauth-protected-resource` (RFC 9728 §2). */
export interface ProtectedResourceMetadata {
  readonly resource: string;
  readonly authorization_servers: readonly string[];
  readonly scopes_supported: readonly string[];
  readonly bearer_methods_supported: readonly ['header'];
  readonly resource_name?: string;
  readonly resource_documentation?: string;
}

// Identifiers are compared as strings by clients (RFC 9728 §3.3), so the URLs are checked, never rewritten.
const metadataOptions = z.object({
  resource: optionSchemas.httpUrl().refine((value) => !value.includes('#'), { error: 'must not contain a fragment (RFC 9728 §1.2)' }),
  authorizationServers: z.array(optionSchemas.httpUrl(), { error: 'must name at least one issuer' }).min(1, { error: 'must name at least one issuer' }),
  scopesSupported: z.array(z.string(), { error: 'must be a list of scope tokens' }).refine((scopes) => scopes.every(isScopeToken), {
    error: 'must hold valid scope tokens only',
  }),
  resourceName: z.string({ error: 'must be a string' }).optional(),
  resourceDocumentation: optionSchemas.httpUrl().optional(),
});

/**
 * Builds the RFC 9728 protected resource metadata document of one MCP server. Bearer tokens are accepted only
 * in the `Authorization` header (MCP authorization: never in the query string), so `bearer_methods_supported`
 * is always `['header']`. Build it once at start-up and serve the same frozen object on every request.
 * Throws `AppError('VALIDATION_FAILED')` for a resource or server that is not an absolute http(s) URL.
 */
export function protectedResourceMetadata(options: ProtectedResourceMetadataOptions): ProtectedResourceMetadata {
  const valid = parseOptions('protectedResourceMetadata', metadataOptions, options);
  const metadata: ProtectedResourceMetadata = {
    resource: valid.resource,
    authorization_servers: Object.freeze([...valid.authorizationServers]),
    scopes_supported: Object.freeze([...valid.scopesSupported]),
    bearer_methods_supported: Object.freeze(['header'] as const),
    ...(valid.resourceName === undefined ? {} : { resource_name: valid.resourceName }),
    ...(valid.resourceDocumentation === undefined ? {} : { resource_documentation: valid.resourceDocumentation }),
  };
  return Object.freeze(metadata);
}
