import type { ResourceLinkSpec, ToolContext } from '@mcpfed/mcp-runtime';
import { productLink } from '../../product-link.ts';
import type { InventoryCaller } from '../service/inventory-caller.ts';

/** The service's view of a request: who acts, and the abort signal. */
export function callerOf<DB>(ctx: ToolContext<DB>): InventoryCaller {
  return { actor: ctx.principal.id, signal: ctx.signal };
}

/** `resource_link`s to the catalog's products (`product://{sku}`), one per distinct sku. */
export function productLinks(skus: Iterable<string>): ResourceLinkSpec[] {
  return [...new Set(skus)].map(productLink);
}
