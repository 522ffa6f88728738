import { AppError } from '@mcpfed/errors';
import type { Principal } from './principal.ts';
import { isCustomerId } from './customer-claim.ts';
import { isScopeToken } from './scope-token.ts';

/** Options of {@link localPrincipal}. */
export interface LocalPrincipalOptions {
  /** Name of the local operator or process (from the environment), e.g. `alice` or `claude-desktop`. */
  name: string;
  /** Scopes granted to the stdio session (from the environment). */
  scopes: readonly string[];
  /** The customer the session is bound to (STDIO_CUSTOMER_ID), if any: then it reaches only that customer. */
  customerId?: string | undefined;
}

/**
 * The principal of a stdio session: a local, trusted process whose identity and scopes come from the
 * environment, not from a token (MCP authorization: stdio SHOULD NOT use the HTTP flow). `kind` is `local`
 * and `id` is `local:<name>`, so local callers never collide with token subjects in audit and rate limits.
 * Throws `AppError('VALIDATION_FAILED')` for an empty name or an invalid scope token.
 */
export function localPrincipal(options: LocalPrincipalOptions): Principal {
  const name = options.name.trim();
  if (name.length === 0) throw new AppError('VALIDATION_FAILED', 'localPrincipal: name must not be empty');
  for (const scope of options.scopes) {
    if (!isScopeToken(scope)) {
      throw new AppError('VALIDATION_FAILED', `localPrincipal: invalid scope token ${JSON.stringify(scope)}`);
    }
  }
  const customerId = options.customerId?.trim() || undefined;
  if (customerId !== undefined && !isCustomerId(customerId)) {
    throw new AppError('VALIDATION_FAILED', 'localPrincipal: customerId must be 1-100 printable characters without spaces');
  }
  return Object.freeze({
    id: `local:${name}`,
    subject: name,
    scopes: new Set(options.scopes),
    kind: 'local' as const,
    ...(customerId === undefined ? {} : { customerId }),
  });
}
