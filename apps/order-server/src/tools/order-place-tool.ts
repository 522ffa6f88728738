import { approvalElicitation } from '@mcpfed/approvals';
import { orderPlace } from '@mcpfed/contract-order';
import { OWN_TRANSACTIONS } from '@mcpfed/mcp-runtime';
import type { ToolBinding } from '@mcpfed/mcp-runtime';
import type { CheckoutTasks } from '../service/checkout-tasks.ts';
import type { OrderPlacement } from '../service/order-placement.ts';
import type { OrderDatabase } from '../store/order-database.ts';
import { bindTool, orderLink } from './bind.ts';

/**
 * orderPlace -> OrderPlacement.place; an order waiting for approval links to its approval page instead of an order.
 * As an MCP Task the call only starts the checkout (wait_ms 0) and the task is the order's saga (CheckoutTasks).
 */
export function orderPlaceTool(service: OrderPlacement, tasks: CheckoutTasks): ToolBinding<OrderDatabase> {
  return bindTool(orderPlace, (input, ctx) => service.place(input, ctx), {
    ...OWN_TRANSACTIONS,
    links: (output) =>
      output.order !== undefined
        ? [orderLink(output.order.id)]
        : output.approval !== undefined
          ? [{ uri: output.approval.approval_url, name: output.approval.approval_id, title: 'Approve this order (a person logs in)', mimeType: 'text/html' }]
          : [],
    task: {
      input: (input) => ({ ...input, wait_ms: 0 }),
      // A call that placed nothing (waiting for approval) has no task; a replay of an ended checkout is its ended task.
      handleOf: (output) => output.order?.id,
      get: (orderId, ctx) => tasks.state(orderId, ctx),
      result: (orderId, ctx) => tasks.result(orderId, ctx),
      cancel: (orderId, ctx) => tasks.cancel(orderId, ctx),
      pollIntervalMs: 1000,
    },
    elicitation: approvalElicitation,
  });
}
