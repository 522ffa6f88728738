import { toolBinder } from '@mcpfed/mcp-runtime';
import type { ResourceLinkSpec, ToolContext } from '@mcpfed/mcp-runtime';
import type { ProductDatabase } from '../../product-database.ts';
import type { Caller } from '../service/caller.ts';

/** Binds a catalog contract entry to its handler. */
export const bindTool = toolBinder<ProductDatabase>();

/** The request context of the catalog's handlers. */
export type CatalogContext = ToolContext<ProductDatabase>;

/** The service's view of a request: who acts and the abort signal. */
export function callerOf(ctx: CatalogContext): Caller {
  return { actor: ctx.principal.id, signal: ctx.signal };
}

/** A `resource_link` to a product. */
export function productLink(sku: string): ResourceLinkSpec {
  return { uri: `product://${sku}`, name: sku, title: `Product ${sku}`, mimeType: 'application/json' };
}
