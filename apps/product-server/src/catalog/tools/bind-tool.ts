import { toolBinder } from '@mcpfed/mcp-runtime';
import type { ProductDatabase } from '../../store/product-database.ts';

/** Binds a catalog contract entry to its handler. */
export const bindTool = toolBinder<ProductDatabase>();
