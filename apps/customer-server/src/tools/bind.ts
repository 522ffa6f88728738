import { customerReachOf } from '@mcpfed/auth';
import { toolBinder } from '@mcpfed/mcp-runtime';
import type { ResourceLinkSpec, ToolContext } from '@mcpfed/mcp-runtime';
import type { Caller } from '../service/caller.ts';
import type { CustomerDatabase } from '../store/customer-database.ts';

/** Binds a customer contract entry to its handler. */
export const bindTool = toolBinder<CustomerDatabase>();

/** The request context of the customer server's handlers. */
export type CustomerContext = ToolContext<CustomerDatabase>;

/** The service's view of a request: who acts, whether they may see personal data, and the abort signal. */
export function callerOf(ctx: CustomerContext): Caller {
  return { actor: ctx.principal.id, canSeePii: ctx.hasScope('customer:pii'), reach: customerReachOf(ctx.principal), signal: ctx.signal };
}

/** A `resource_link` to a customer. */
export function customerLink(id: string): ResourceLinkSpec {
  return { uri: `customer://${id}`, name: id, title: `Customer ${id}`, mimeType: 'application/json' };
}
