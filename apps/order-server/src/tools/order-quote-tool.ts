import { orderQuote } from '@mcpfed/contract-order';
import { OWN_TRANSACTIONS } from '@mcpfed/mcp-runtime';
import type { ToolBinding } from '@mcpfed/mcp-runtime';
import type { OrderPlacement } from '../service/order-placement.ts';
import type { OrderDatabase } from '../store/order-database.ts';
import { bindTool } from './bind.ts';

/** orderQuote -> OrderPlacement.quote. */
export function orderQuoteTool(service: OrderPlacement): ToolBinding<OrderDatabase> {
  return bindTool(orderQuote, (input, ctx) => service.quote(input, ctx), OWN_TRANSACTIONS);
}
