import { orderQuote } from '@mcpfed/contract-order';
import type { ToolBinding } from '@mcpfed/mcp-runtime';
import type { OrderService } from '../service/order-service.ts';
import type { OrderDatabase } from '../store/order-database.ts';
import { bindTool, callerOf, REMOTE_CALLS } from './bind.ts';

/** orderQuote -> OrderService.quote. */
export function orderQuoteTool(service: OrderService): ToolBinding<OrderDatabase> {
  return bindTool(orderQuote, (input, ctx) => service.quote(input, callerOf(ctx)), REMOTE_CALLS);
}
