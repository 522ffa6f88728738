import { orderWorkflowGet } from '@mcpfed/contract-order';
import type { ToolBinding } from '@mcpfed/mcp-runtime';
import type { WorkflowService } from '../service/workflow-service.ts';
import type { OrderDatabase } from '../store/order-database.ts';
import { bindTool, orderLink } from './bind.ts';

/** orderWorkflowGet -> WorkflowService.get. */
export function orderWorkflowGetTool(service: WorkflowService): ToolBinding<OrderDatabase> {
  return bindTool(orderWorkflowGet, (input, ctx) => service.get(input, ctx), { links: (output) => [orderLink(output.order_id)] });
}
