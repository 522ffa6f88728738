import { toolBinder } from '@mcpfed/mcp-runtime';
import type { ResourceLinkSpec } from '@mcpfed/mcp-runtime';
import type { CustomerDatabase } from '../store/customer-database.ts';

/** Binds a customer contract entry to its handler. */
export const bindTool = toolBinder<CustomerDatabase>();

/** A `resource_link` to a customer. */
export function customerLink(id: string): ResourceLinkSpec {
  return { uri: `customer://${id}`, name: id, title: `Customer ${id}`, mimeType: 'application/json' };
}
