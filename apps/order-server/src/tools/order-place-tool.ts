import { approvalElicitation } from '@mcpfed/approvals';
import { orderPlace } from '@mcpfed/contract-order';
import type { ToolBinding } from '@mcpfed/mcp-runtime';
import type { CheckoutTasks } from '../service/checkout-tasks.ts';
import type { OrderService } from '../service/order-service.ts';
import type { OrderDatabase } from '../store/order-database.ts';
import { bindTool, callerOf, orderLink, REMOTE_CALLS } from './bind.ts';

/**
 * orderPlace -> OrderService.place; an order waiting for approval links to its approval page instead of an order.
 * As an MCP Task the call only starts the checkout (wait_ms 0) and the task is the order's saga (CheckoutTasks).
 */
export function orderPlaceTool(service: OrderService, tasks: CheckoutTasks): ToolBinding<OrderDatabase> {
  return bindTool(orderPlace, (input, ctx) => service.place(input, callerOf(ctx)), {
    ...REMOTE_CALLS,
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
      get: (orderId, ctx) => tasks.state(orderId, ctx.principal.id, ctx.signal),
      result: (orderId, ctx) => tasks.result(orderId, ctx.principal.id, ctx.signal),
      cancel: (orderId, ctx) => tasks.cancel(orderId, ctx.principal.id),
      pollIntervalMs: 1000,
    },
    elicitation: approvalElicitation,
  });
}
