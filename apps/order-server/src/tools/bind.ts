import { customerReachOf } from '@mcpfed/auth';
import { toolBinder } from '@mcpfed/mcp-runtime';
import type { ResourceLinkSpec, ToolContext } from '@mcpfed/mcp-runtime';
import type { Caller } from '../service/caller.ts';
import type { OrderDatabase } from '../store/order-database.ts';

/** Binds an order contract entry to its handler. */
export const bindTool = toolBinder<OrderDatabase>();

/** The request context of the order server's handlers. */
export type OrderContext = ToolContext<OrderDatabase>;

/** The service's view of a request: who acts, the abort signal and progress reporting. */
export function callerOf(ctx: Pick<OrderContext, 'principal' | 'signal' | 'progress' | 'clientLog' | 'trace' | 'hasScope'>): Caller {
  return {
    principalId: ctx.principal.id,
    kind: ctx.principal.kind,
    reach: customerReachOf(ctx.principal),
    signal: ctx.signal,
    hasScope: (scope) => ctx.hasScope(scope),
    traceparent: ctx.trace.traceparent,
    ...(ctx.principal.token === undefined || ctx.principal.expiresAt === undefined ? {} : { credential: { token: ctx.principal.token, expiresAt: ctx.principal.expiresAt } }),
    progress: (progress, total, message) => ctx.progress(progress, total, message),
    clientLog: ctx.clientLog,
  };
}

/** A `resource_link` to an order. */
export function orderLink(id: string): ResourceLinkSpec {
  return { uri: `order://${id}`, name: id, title: `Order ${id}`, mimeType: 'application/json' };
}

/**
 * Binding options of the tools that call other servers: no runtime transaction (remote calls happen outside one;
 * the services run their own transactions and their own idempotency).
 */
export const REMOTE_CALLS = Object.freeze({ transaction: 'none' as const });
