import { orderPlace } from '@mcpfed/contract-order';
import type { ToolBinding } from '@mcpfed/mcp-runtime';
import type { OrderService } from '../service/order-service.ts';
import type { OrderDatabase } from '../store/order-database.ts';
import { bindTool, callerOf, orderLink, REMOTE_CALLS } from './bind.ts';

/** orderPlace -> OrderService.place; an order waiting for approval links to its approval page instead of an order. */
export function orderPlaceTool(service: OrderService): ToolBinding<OrderDatabase> {
  return bindTool(orderPlace, (input, ctx) => service.place(input, callerOf(ctx)), {
    ...REMOTE_CALLS,
    links: (output) =>
      output.order !== undefined
        ? [orderLink(output.order.id)]
        : output.approval !== undefined
          ? [{ uri: output.approval.approval_url, name: output.approval.approval_id, title: 'Approve this order (a person logs in)', mimeType: 'text/html' }]
          : [],
  });
}
