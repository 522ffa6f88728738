import { orderWorkflowRetry } from '@mcpfed/contract-order';
import { OWN_TRANSACTIONS } from '@mcpfed/mcp-runtime';
import type { ToolBinding } from '@mcpfed/mcp-runtime';
import type { WorkflowService } from '../service/workflow-service.ts';
import type { OrderDatabase } from '../store/order-database.ts';
import { bindTool, orderLink } from './bind.ts';

/** orderWorkflowRetry -> WorkflowService.retry. */
export function orderWorkflowRetryTool(service: WorkflowService): ToolBinding<OrderDatabase> {
  return bindTool(orderWorkflowRetry, (input, ctx) => service.retry(input, ctx), {
    ...OWN_TRANSACTIONS,
    links: (output) => [orderLink(output.workflow.order_id)],
  });
}
