import { orderSummary } from '@mcpfed/contract-order';
import type { ToolBinding } from '@mcpfed/mcp-runtime';
import type { OrderService } from '../service/order-service.ts';
import type { OrderDatabase } from '../store/order-database.ts';
import { bindTool } from './bind.ts';

/** orderSummary -> OrderService.summary. */
export function orderSummaryTool(service: OrderService): ToolBinding<OrderDatabase> {
  return bindTool(orderSummary, (input, ctx) => service.summary(input, ctx));
}
