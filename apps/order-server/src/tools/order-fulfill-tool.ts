import { orderFulfill } from '@mcpfed/contract-order';
import { OWN_TRANSACTIONS } from '@mcpfed/mcp-runtime';
import type { ToolBinding } from '@mcpfed/mcp-runtime';
import type { OrderLifecycleService } from '../service/order-lifecycle-service.ts';
import type { OrderDatabase } from '../store/order-database.ts';
import { bindTool, orderLink } from './bind.ts';

/** orderFulfill -> OrderLifecycleService.fulfill. */
export function orderFulfillTool(service: OrderLifecycleService): ToolBinding<OrderDatabase> {
  return bindTool(orderFulfill, (input, ctx) => service.fulfill(input, ctx), { ...OWN_TRANSACTIONS, links: (output) => [orderLink(output.order.id)] });
}
