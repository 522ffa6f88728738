import { customerReachOf } from '@mcpfed/auth';
import { orderWorkflowRetry } from '@mcpfed/contract-order';
import type { ToolBinding } from '@mcpfed/mcp-runtime';
import type { WorkflowService } from '../service/workflow-service.ts';
import type { OrderDatabase } from '../store/order-database.ts';
import { bindTool, orderLink, REMOTE_CALLS } from './bind.ts';

/** orderWorkflowRetry -> WorkflowService.retry. */
export function orderWorkflowRetryTool(service: WorkflowService): ToolBinding<OrderDatabase> {
  return bindTool(orderWorkflowRetry, (input, ctx) => service.retry(input, customerReachOf(ctx.principal)), { ...REMOTE_CALLS, links: (output) => [orderLink(output.workflow.order_id)] });
}
