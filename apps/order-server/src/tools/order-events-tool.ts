import { orderEvents } from '@mcpfed/contract-order';
import type { ToolBinding } from '@mcpfed/mcp-runtime';
import type { OrderService } from '../service/order-service.ts';
import type { OrderDatabase } from '../store/order-database.ts';
import { bindTool } from './bind.ts';

/** orderEvents -> OrderService.events. */
export function orderEventsTool(service: OrderService): ToolBinding<OrderDatabase> {
  return bindTool(orderEvents, (input, ctx) => service.events(input, ctx));
}
