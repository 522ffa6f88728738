import { toolBinder } from '@mcpfed/mcp-runtime';
import type { ToolContext } from '@mcpfed/mcp-runtime';
import type { ProductDatabase } from '../../product-database.ts';
import type { Caller } from '../service/caller.ts';

/** Binds a catalog contract entry to its handler. */
export const bindTool = toolBinder<ProductDatabase>();

/** The request context of the catalog's handlers. */
export type CatalogContext = ToolContext<ProductDatabase>;

/** The service's view of a request: who acts and the abort signal. */
export function callerOf(ctx: CatalogContext): Caller {
  return { actor: ctx.principal.id, signal: ctx.signal, clientLog: ctx.clientLog };
}

export { productLink } from '../../product-link.ts';
