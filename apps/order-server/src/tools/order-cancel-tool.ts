import { approvalElicitation } from '@mcpfed/approvals';
import { orderCancel } from '@mcpfed/contract-order';
import { OWN_TRANSACTIONS } from '@mcpfed/mcp-runtime';
import type { ToolBinding } from '@mcpfed/mcp-runtime';
import type { OrderLifecycleService } from '../service/order-lifecycle-service.ts';
import type { OrderDatabase } from '../store/order-database.ts';
import { bindTool, orderLink } from './bind.ts';

/** orderCancel -> OrderLifecycleService.cancel; a refund waiting for a person is its approval page to a client that takes URL elicitation. */
export function orderCancelTool(service: OrderLifecycleService): ToolBinding<OrderDatabase> {
  return bindTool(orderCancel, (input, ctx) => service.cancel(input, ctx), {
    ...OWN_TRANSACTIONS,
    links: (output) => [orderLink(output.order.id)],
    elicitation: approvalElicitation,
  });
}
