import { approvalElicitation } from '@mcpfed/approvals';
import { orderCancel } from '@mcpfed/contract-order';
import type { ToolBinding } from '@mcpfed/mcp-runtime';
import type { OrderLifecycleService } from '../service/order-lifecycle-service.ts';
import type { OrderDatabase } from '../store/order-database.ts';
import { bindTool, callerOf, orderLink, REMOTE_CALLS } from './bind.ts';

/** orderCancel -> OrderLifecycleService.cancel; a refund waiting for a person is its approval page to a client that takes URL elicitation. */
export function orderCancelTool(service: OrderLifecycleService): ToolBinding<OrderDatabase> {
  return bindTool(orderCancel, (input, ctx) => service.cancel(input, callerOf(ctx)), { ...REMOTE_CALLS, links: (output) => [orderLink(output.order.id)], elicitation: approvalElicitation });
}
