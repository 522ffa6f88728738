import { AppError } from '@mcpfed/errors';
import type { Principal } from './principal.ts';

/**
 * Whether the principal holds every one of `required`.
 *
 * Scopes are compared exactly: `admin` does NOT imply any other scope (a tool that admins may call lists
 * `admin` among its accepted scopes itself). Keeping the check explicit means a token's power is readable
 * from its `scope` claim alone. An empty `required` list is always satisfied.
 */
export function hasScopes(principal: Principal, required: readonly string[]): boolean {
  for (const scope of required) {
    if (!principal.scopes.has(scope)) return false;
  }
  return true;
}

/** The scopes of `required` the principal lacks, in the order given (empty when {@link hasScopes} is true). */
export function missingScopes(principal: Principal, required: readonly string[]): string[] {
  return required.filter((scope) => !principal.scopes.has(scope));
}

/**
 * Throws `AppError('FORBIDDEN')` with `details: { required, missing }` unless the principal holds every one of
 * `required` (same exact comparison as {@link hasScopes}). At the HTTP layer this is a 403 with
 * `WWW-Authenticate: Bearer error="insufficient_scope", scope="..."` (MCP authorization, scope challenge).
 */
export function requireScopes(principal: Principal, required: readonly string[]): void {
  const missing = missingScopes(principal, required);
  if (missing.length > 0) {
    throw new AppError('FORBIDDEN', `missing scope: ${missing.join(' ')}`, {
      details: { required: [...required], missing },
    });
  }
}
