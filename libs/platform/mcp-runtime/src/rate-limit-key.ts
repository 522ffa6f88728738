import type { Principal } from '@mcpfed/auth';

/**
 * The identity a call's rate limit is counted under (docs/architecture.md §5: per principal and tool): the principal's
 * id, the token's `sub`. A token a service exchanged for a caller's (RFC 8693) names the caller in `sub`, so the
 * caller's budget pays for what a service does on its behalf, wherever in the chain it runs; a service's own token
 * (work done for nobody) counts under the service. Per-caller budgets of a domain (e.g. the payment server's daily
 * amount limits) use the same key.
 */
export function rateLimitKeyOf(principal: Pick<Principal, 'id'>): string {
  return principal.id;
}
