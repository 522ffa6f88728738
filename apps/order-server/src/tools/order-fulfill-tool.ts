import { orderFulfill } from '@mcpfed/contract-order';
import type { ToolBinding } from '@mcpfed/mcp-runtime';
import type { OrderLifecycleService } from '../service/order-lifecycle-service.ts';
import type { OrderDatabase } from '../store/order-database.ts';
import { bindTool, callerOf, orderLink, REMOTE_CALLS } from './bind.ts';

/** orderFulfill -> OrderLifecycleService.fulfill. */
export function orderFulfillTool(service: OrderLifecycleService): ToolBinding<OrderDatabase> {
  return bindTool(orderFulfill, (input, ctx) => service.fulfill(input, callerOf(ctx)), { ...REMOTE_CALLS, links: (output) => [orderLink(output.order.id)] });
}
