import { orderGet } from '@mcpfed/contract-order';
import type { ToolBinding } from '@mcpfed/mcp-runtime';
import type { OrderService } from '../service/order-service.ts';
import type { OrderDatabase } from '../store/order-database.ts';
import { bindTool, orderLink } from './bind.ts';

/** orderGet -> OrderService.get. */
export function orderGetTool(service: OrderService): ToolBinding<OrderDatabase> {
  return bindTool(orderGet, (input, ctx) => service.get(input, ctx), { links: (output) => [orderLink(output.order.id)] });
}
