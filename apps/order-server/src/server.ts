import type { SqlPool } from '@mcpfed/db';
import type { PromptBinding, ResourceBinding, ToolBinding } from '@mcpfed/mcp-runtime';
import { orderSupportTriagePrompt } from './prompts/order-support-triage-prompt.ts';
import { orderResourceBinding } from './resources/order-resource.ts';
import { orderSchemaResourceBinding } from './resources/order-schema-resource.ts';
import { orderStateMachineResourceBinding } from './resources/order-state-machine-resource.ts';
import type { OrderDomain } from './service/order-domain.ts';
import type { OrderDatabase } from './store/order-database.ts';
import { orderCancelTool } from './tools/order-cancel-tool.ts';
import { orderEventsTool } from './tools/order-events-tool.ts';
import { orderFulfillTool } from './tools/order-fulfill-tool.ts';
import { orderGetTool } from './tools/order-get-tool.ts';
import { orderMarkDeliveredTool } from './tools/order-mark-delivered-tool.ts';
import { orderPlaceTool } from './tools/order-place-tool.ts';
import { orderQuerySqlTool } from './tools/order-query-sql-tool.ts';
import { orderQuoteTool } from './tools/order-quote-tool.ts';
import { orderRefundTool } from './tools/order-refund-tool.ts';
import { orderSearchTool } from './tools/order-search-tool.ts';
import { orderSummaryTool } from './tools/order-summary-tool.ts';
import { orderWorkflowGetTool } from './tools/order-workflow-get-tool.ts';
import { orderWorkflowListTool } from './tools/order-workflow-list-tool.ts';
import { orderWorkflowRetryTool } from './tools/order-workflow-retry-tool.ts';

/** Collaborators of the order server's bindings. */
export interface OrderServerDeps {
  /** The domain's services (createOrderDomain). */
  domain: OrderDomain;
  /** Pool connected as the read-only role `order_sql_reader`. */
  sqlPool: SqlPool;
  /** `statement_timeout` of one order_query_sql statement, in milliseconds. Default 3000. */
  sqlStatementTimeoutMs?: number;
}

/** The order server's MCP surface: every contract entry bound to its handler. */
export interface OrderServer {
  tools: ToolBinding<OrderDatabase>[];
  resources: ResourceBinding<OrderDatabase>[];
  prompts: PromptBinding<OrderDatabase>[];
}

/** Builds the bindings; main.ts hosts them and the tests drive them through a real SDK client. */
export function buildOrderServer(deps: OrderServerDeps): OrderServer {
  const { orders, placement, checkoutTasks, lifecycle, workflows } = deps.domain;
  return {
    tools: [
      orderQuoteTool(placement),
      orderPlaceTool(placement, checkoutTasks),
      orderGetTool(orders),
      orderSearchTool(orders),
      orderCancelTool(lifecycle),
      orderRefundTool(lifecycle),
      orderFulfillTool(lifecycle),
      orderMarkDeliveredTool(orders),
      orderEventsTool(orders),
      orderSummaryTool(orders),
      orderWorkflowGetTool(workflows),
      orderWorkflowListTool(workflows),
      orderWorkflowRetryTool(workflows),
      orderQuerySqlTool({ sqlPool: deps.sqlPool, ...(deps.sqlStatementTimeoutMs === undefined ? {} : { statementTimeoutMs: deps.sqlStatementTimeoutMs }) }),
    ],
    resources: [orderResourceBinding(orders), orderStateMachineResourceBinding, orderSchemaResourceBinding],
    prompts: [orderSupportTriagePrompt(orders)],
  };
}
