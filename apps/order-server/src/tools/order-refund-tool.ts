import { approvalElicitation } from '@mcpfed/approvals';
import { orderRefund } from '@mcpfed/contract-order';
import { OWN_TRANSACTIONS } from '@mcpfed/mcp-runtime';
import type { ToolBinding } from '@mcpfed/mcp-runtime';
import type { OrderLifecycleService } from '../service/order-lifecycle-service.ts';
import type { OrderDatabase } from '../store/order-database.ts';
import { bindTool, orderLink } from './bind.ts';

/** orderRefund -> OrderLifecycleService.refund; a refund waiting for a person is its approval page to a client that takes URL elicitation. */
export function orderRefundTool(service: OrderLifecycleService): ToolBinding<OrderDatabase> {
  return bindTool(orderRefund, (input, ctx) => service.refund(input, ctx), {
    ...OWN_TRANSACTIONS,
    links: (output) => [orderLink(output.order.id)],
    elicitation: approvalElicitation,
  });
}
