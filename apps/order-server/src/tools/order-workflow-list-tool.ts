import { orderWorkflowList } from '@mcpfed/contract-order';
import type { ToolBinding } from '@mcpfed/mcp-runtime';
import type { WorkflowService } from '../service/workflow-service.ts';
import type { OrderDatabase } from '../store/order-database.ts';
import { bindTool } from './bind.ts';

/** orderWorkflowList -> WorkflowService.list. */
export function orderWorkflowListTool(service: WorkflowService): ToolBinding<OrderDatabase> {
  return bindTool(orderWorkflowList, (input, ctx) => service.list(input, ctx));
}
