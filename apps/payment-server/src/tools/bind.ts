import { customerReachOf } from '@mcpfed/auth';
import { rateLimitKeyOf, toolBinder } from '@mcpfed/mcp-runtime';
import type { ResourceLinkSpec, ToolContext } from '@mcpfed/mcp-runtime';
import type { Caller } from '../service/caller.ts';
import type { PaymentDatabase } from '../store/payment-database.ts';

/** Binds a payment contract entry to its handler. */
export const bindTool = toolBinder<PaymentDatabase>();

/** The request context of the payment server's handlers. */
export type PaymentContext = ToolContext<PaymentDatabase>;

/** The service's view of a request: who acts, whose limits it counts against, and the abort signal. */
export function callerOf(ctx: Pick<PaymentContext, 'principal' | 'signal'>): Caller {
  return { principalId: ctx.principal.id, kind: ctx.principal.kind, reach: customerReachOf(ctx.principal), limitKey: rateLimitKeyOf(ctx.principal), signal: ctx.signal };
}

/** A `resource_link` to a payment. */
export function paymentLink(id: string): ResourceLinkSpec {
  return { uri: `payment://${id}`, name: id, title: `Payment ${id}`, mimeType: 'application/json' };
}

/**
 * Binding options of the tools that call the payment provider: no runtime transaction (the provider call must
 * happen outside one; the service runs its own transactions and its own idempotency in payment_operations).
 */
export const PROVIDER_CALL = Object.freeze({ transaction: 'none' as const });
