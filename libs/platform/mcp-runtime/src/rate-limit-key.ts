import type { Principal } from '@mcpfed/auth';

/**
 * The identity a call's rate limit is counted under (docs/architecture.md §5: per principal and tool). A service token that
 * acts for a caller (`act.sub`, e.g. the order server's checkout acting for the customer's agent) is counted per
 * service and caller, `<service>><caller>`: one busy caller cannot use up the service's budget for everyone, and the
 * service's traffic for many callers is not capped as if it were one. Any other principal is counted under its id.
 * Per-caller budgets of a domain (e.g. the payment server's daily amount limits) use the same key.
 */
export function rateLimitKeyOf(principal: Pick<Principal, 'id' | 'kind' | 'actingFor'>): string {
  return principal.kind === 'service' && principal.actingFor !== undefined ? `${principal.id}>${principal.actingFor}` : principal.id;
}
