import { orderMarkDelivered } from '@mcpfed/contract-order';
import type { ToolBinding } from '@mcpfed/mcp-runtime';
import type { OrderService } from '../service/order-service.ts';
import type { OrderDatabase } from '../store/order-database.ts';
import { bindTool, orderLink } from './bind.ts';

/** orderMarkDelivered -> OrderService.markDelivered. */
export function orderMarkDeliveredTool(service: OrderService): ToolBinding<OrderDatabase> {
  return bindTool(orderMarkDelivered, (input, ctx) => service.markDelivered(ctx.db, input, ctx), { links: (output) => [orderLink(output.order.id)] });
}
