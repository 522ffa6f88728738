import { toolBinder } from '@mcpfed/mcp-runtime';
import type { ResourceLinkSpec, ToolContext } from '@mcpfed/mcp-runtime';
import type { OrderDatabase } from '../store/order-database.ts';

/** Binds an order contract entry to its handler. */
export const bindTool = toolBinder<OrderDatabase>();

/** The request context of the order server's handlers. */
export type OrderContext = ToolContext<OrderDatabase>;

/** A `resource_link` to an order. */
export function orderLink(id: string): ResourceLinkSpec {
  return { uri: `order://${id}`, name: id, title: `Order ${id}`, mimeType: 'application/json' };
}
