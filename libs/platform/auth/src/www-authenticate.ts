import { AppError } from '@mcpfed/errors';
import { isScopeToken } from './scope-token.ts';

/** Options of {@link wwwAuthenticate}. */
export interface WwwAuthenticateOptions {
  /** Absolute URL of this server's RFC 9728 metadata, e.g. `http://127.0.0.1:8081/.well-known/oauth-protected-resource`. */
  resourceMetadataUrl: string;
  /**
   * RFC 6750 §3.1 error code: `invalid_token` with a 401 for a bad or expired token, `insufficient_scope` with a
   * 403. Omit it when the request carried no token at all (RFC 6750 §3.1). Default: omitted.
   */
  error?: 'invalid_token' | 'insufficient_scope';
  /** Human-readable, non-sensitive reason (e.g. `token expired`). Default: omitted. */
  description?: string;
  /** Space-separated scopes the request needs (MCP authorization: SHOULD on 401 and 403). Default: omitted. */
  scope?: string;
}

/**
 * Builds a `WWW-Authenticate: Bearer ...` challenge (RFC 6750 §3, RFC 9728 §5.1), e.g.
 * `Bearer resource_metadata="http://127.0.0.1:8081/.well-known/oauth-protected-resource", error="invalid_token", error_description="token expired"`.
 *
 * Parameters come in a fixed order — `resource_metadata`, `error`, `scope`, `error_description` — with the free
 * text last, so clients that find a parameter by its first `name=` occurrence (the MCP TypeScript SDK does)
 * cannot be misled by a description. Every value is a quoted-string (RFC 9110 §5.6.4). The description is
 * reduced to the characters RFC 6750 §3 allows (`"` becomes `'`, `\` becomes `/`, anything outside printable
 * ASCII becomes `?`), so the header can never be split or carry raw input. Throws `AppError('VALIDATION_FAILED')`
 * for a scope that is not a valid scope token list or a metadata URL that is not absolute http(s).
 */
export function wwwAuthenticate(options: WwwAuthenticateOptions): string {
  const params = [`resource_metadata=${quote(metadataUrl(options.resourceMetadataUrl))}`];
  if (options.error !== undefined) params.push(`error=${quote(options.error)}`);
  if (options.scope !== undefined) params.push(`scope=${quote(scopeList(options.scope))}`);
  if (options.description !== undefined) params.push(`error_description=${quote(description(options.description))}`);
  return `Bearer ${params.join(', ')}`;
}

function quote(value: string): string {
  return `"${value.replace(/["\\]/g, '\\$&')}"`;
}

function metadataUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return invalid('resourceMetadataUrl must be an absolute http(s) URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') invalid('resourceMetadataUrl must be an absolute http(s) URL');
  // The URL parser silently drops tabs and newlines, but the raw string goes into the header: check it.
  if (/[^\x21-\x7E]/.test(value)) invalid('resourceMetadataUrl must be printable ASCII without spaces');
  return value;
}

function scopeList(value: string): string {
  const scopes = value.split(' ').filter((s) => s.length > 0);
  if (scopes.length === 0 || !scopes.every(isScopeToken)) invalid('scope must be a space-separated list of scope tokens');
  return scopes.join(' ');
}

function description(value: string): string {
  // RFC 6750 §3: error_description is limited to %x20-21 / %x23-5B / %x5D-7E.
  return value
    .replace(/"/g, "'")
    .replace(/\\/g, '/')
    .replace(/[^\x20-\x7E]/g, '?');
}

function invalid(message: string): never {
  throw new AppError('VALIDATION_FAILED', `wwwAuthenticate: ${message}`);
}
