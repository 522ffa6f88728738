import type { SqlPool } from '@mcpfed/db';
import type { PromptBinding, ResourceBinding, ToolBinding } from '@mcpfed/mcp-runtime';
import { paymentRefundReviewPrompt } from './prompts/payment-refund-review-prompt.ts';
import { paymentLimitsResourceBinding } from './resources/payment-limits-resource.ts';
import { paymentResourceBinding } from './resources/payment-resource.ts';
import { paymentSchemaResourceBinding } from './resources/payment-schema-resource.ts';
import type { PaymentDomain } from './service/payment-domain.ts';
import type { PaymentDatabase } from './store/payment-database.ts';
import { paymentAuthorizeTool } from './tools/payment-authorize-tool.ts';
import { paymentBalanceSummaryTool } from './tools/payment-balance-summary-tool.ts';
import { paymentCaptureTool } from './tools/payment-capture-tool.ts';
import { paymentGetTool } from './tools/payment-get-tool.ts';
import { paymentMethodAttachTool } from './tools/payment-method-attach-tool.ts';
import { paymentMethodListTool } from './tools/payment-method-list-tool.ts';
import { paymentQuerySqlTool } from './tools/payment-query-sql-tool.ts';
import { paymentReconcileTool } from './tools/payment-reconcile-tool.ts';
import { paymentRefundTool } from './tools/payment-refund-tool.ts';
import { paymentRefundableTool } from './tools/payment-refundable-tool.ts';
import { paymentSearchTool } from './tools/payment-search-tool.ts';
import { paymentVoidTool } from './tools/payment-void-tool.ts';

/** Collaborators of the payment server's bindings. */
export interface PaymentServerDeps {
  /** The domain's services (createPaymentDomain). */
  domain: PaymentDomain;
  /** Pool connected as the read-only role `payment_sql_reader` (SELECT on the analytics views only). */
  sqlPool: SqlPool;
  /** `statement_timeout` of one payment_query_sql statement, in milliseconds. Default 3000. */
  sqlStatementTimeoutMs?: number;
}

/** The payment server's MCP surface: every contract entry bound to its handler. */
export interface PaymentServer {
  tools: ToolBinding<PaymentDatabase>[];
  resources: ResourceBinding<PaymentDatabase>[];
  prompts: PromptBinding<PaymentDatabase>[];
}

/** Builds the bindings; main.ts hosts them and the tests drive them through a real SDK client. */
export function buildPaymentServer(deps: PaymentServerDeps): PaymentServer {
  const { payments, queries, reconciliation, policy } = deps.domain;
  return {
    tools: [
      paymentMethodAttachTool(payments.methods),
      paymentMethodListTool(payments.methods),
      paymentAuthorizeTool(payments),
      paymentCaptureTool(payments),
      paymentVoidTool(payments),
      paymentGetTool(queries),
      paymentSearchTool(queries),
      paymentRefundableTool(queries),
      paymentRefundTool(payments),
      paymentReconcileTool(reconciliation),
      paymentBalanceSummaryTool(queries),
      paymentQuerySqlTool({
        sqlPool: deps.sqlPool,
        ...(deps.sqlStatementTimeoutMs === undefined ? {} : { statementTimeoutMs: deps.sqlStatementTimeoutMs }),
      }),
    ],
    resources: [paymentResourceBinding(queries), paymentLimitsResourceBinding(policy), paymentSchemaResourceBinding],
    prompts: [paymentRefundReviewPrompt(queries)],
  };
}
