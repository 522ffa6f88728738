import { AppError } from '@mcpfed/errors';
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

/**
 * Builds the RFC 9728 protected resource metadata document of one MCP server. Bearer tokens are accepted only
 * in the `Authorization` header (MCP authorization: never in the query string), so `bearer_methods_supported`
 * is always `['header']`. Build it once at start-up and serve the same frozen object on every request.
 * Throws `AppError('VALIDATION_FAILED')` for a resource or server that is not an absolute http(s) URL.
 */
export function protectedResourceMetadata(options: ProtectedResourceMetadataOptions): ProtectedResourceMetadata {
  const resource = requireHttpUrl(options.resource, 'resource');
  if (resource.includes('#')) invalid('resource must not contain a fragment (RFC 9728 §1.2)');
  if (options.authorizationServers.length === 0) invalid('authorizationServers must name at least one issuer');
  const authorizationServers = options.authorizationServers.map((url) => requireHttpUrl(url, 'authorizationServers'));
  for (const scope of options.scopesSupported) {
    if (!isScopeToken(scope)) invalid(`scopesSupported holds an invalid scope token: ${JSON.stringify(scope)}`);
  }
  const metadata: ProtectedResourceMetadata = {
    resource,
    authorization_servers: Object.freeze(authorizationServers),
    scopes_supported: Object.freeze([...options.scopesSupported]),
    bearer_methods_supported: Object.freeze(['header'] as const),
    ...(options.resourceName === undefined ? {} : { resource_name: options.resourceName }),
    ...(options.resourceDocumentation === undefined
      ? {}
      : { resource_documentation: requireHttpUrl(options.resourceDocumentation, 'resourceDocumentation') }),
  };
  return Object.freeze(metadata);
}

function requireHttpUrl(value: string, field: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return invalid(`${field} must be an absolute http(s) URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') invalid(`${field} must be an absolute http(s) URL`);
  // Identifiers are compared as strings by clients (RFC 9728 §3.3), so keep exactly what the operator configured.
  return value;
}

function invalid(message: string): never {
  throw new AppError('VALIDATION_FAILED', `protectedResourceMetadata: ${message}`);
}
