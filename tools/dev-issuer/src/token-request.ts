import { parseArgs } from 'node:util';
import { SCOPES } from '@mcpfed/contract-common';

/** What `dev-issuer token` mints. */
export interface TokenRequest {
  /** Granted scopes, each one of SCOPES. */
  readonly scopes: readonly string[];
  /** The `sub` claim. Default `dev-user`. */
  readonly subject: string;
  /** Lifetime in seconds. Default 3600. */
  readonly ttlSeconds: number;
  /** The `aud` claim: the resource of the server the token is for. Default: none given (the caller picks the router's). */
  readonly audience?: string;
}

const KNOWN_SCOPES: ReadonlySet<string> = new Set(SCOPES);

/**
 * Parses `--scopes "a b" [--subject s] [--ttl n] [--audience a]` (scopes space- or comma-separated, each a known
 * scope). Returns the request, or a message for a usage error; never throws.
 */
export function parseTokenRequest(argv: readonly string[]): TokenRequest | { readonly error: string } {
  let values: { scopes?: string; subject?: string; ttl?: string; audience?: string };
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: { scopes: { type: 'string' }, subject: { type: 'string' }, ttl: { type: 'string' }, audience: { type: 'string' } },
    }));
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
  const scopes = (values.scopes ?? '').split(/[\s,]+/).filter((scope) => scope !== '');
  if (scopes.length === 0) return { error: '--scopes is required' };
  const unknown = scopes.filter((scope) => !KNOWN_SCOPES.has(scope));
  if (unknown.length > 0) return { error: `unknown scope ${unknown.join(', ')}; known: ${SCOPES.join(' ')}` };
  const ttlSeconds = Number(values.ttl ?? '3600');
  if (!Number.isSafeInteger(ttlSeconds) || ttlSeconds < 1) return { error: `--ttl must be a whole number of seconds >= 1, got ${values.ttl}` };
  return { scopes, subject: values.subject ?? 'dev-user', ttlSeconds, ...(values.audience === undefined ? {} : { audience: values.audience }) };
}
