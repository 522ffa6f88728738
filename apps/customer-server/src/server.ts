import type { PromptBinding, ResourceBinding, ToolBinding } from '@mcpfed/mcp-runtime';
import type { SqlPool } from '@mcpfed/db';
import { customerChurnAnalysisPrompt } from './prompts/customer-churn-analysis-prompt.ts';
import { customerSupportBriefPrompt } from './prompts/customer-support-brief-prompt.ts';
import { customerResourceBinding } from './resources/customer-resource.ts';
import { customerSchemaResourceBinding } from './resources/customer-schema-resource.ts';
import type { CustomerDatabase } from './store/customer-database.ts';
import { customerAddAddressTool } from './tools/customer-add-address-tool.ts';
import { customerAddNoteTool } from './tools/customer-add-note-tool.ts';
import { customerAnonymizeTool } from './tools/customer-anonymize-tool.ts';
import { customerCheckEligibilityTool } from './tools/customer-check-eligibility-tool.ts';
import { customerCreateTool } from './tools/customer-create-tool.ts';
import { customerExportDataTool } from './tools/customer-export-data-tool.ts';
import { customerGetTool } from './tools/customer-get-tool.ts';
import { customerQuerySqlTool } from './tools/customer-query-sql-tool.ts';
import { customerRemoveAddressTool } from './tools/customer-remove-address-tool.ts';
import { customerSearchTool } from './tools/customer-search-tool.ts';
import { customerSetStatusTool } from './tools/customer-set-status-tool.ts';
import { customerTimelineTool } from './tools/customer-timeline-tool.ts';
import { customerUpdateTool } from './tools/customer-update-tool.ts';

/** Collaborators of the customer server's bindings (the domain database itself comes with each call's context). */
export interface CustomerServerDeps {
  /** Pool connected as the read-only role `customer_sql_reader` (SELECT on the analytics views only). */
  sqlPool: SqlPool;
  /** `statement_timeout` of one customer_query_sql statement, in milliseconds. Default 3000. */
  sqlStatementTimeoutMs?: number;
}

/** The customer server's MCP surface: every contract entry bound to its handler. */
export interface CustomerServer {
  tools: ToolBinding<CustomerDatabase>[];
  resources: ResourceBinding<CustomerDatabase>[];
  prompts: PromptBinding<CustomerDatabase>[];
}

/** Builds the bindings; main.ts hosts them and the tests drive them through a real SDK client. */
export function buildCustomerServer(deps: CustomerServerDeps): CustomerServer {
  return {
    tools: [
      customerGetTool,
      customerSearchTool,
      customerCreateTool,
      customerUpdateTool,
      customerSetStatusTool,
      customerAddAddressTool,
      customerRemoveAddressTool,
      customerAddNoteTool,
      customerTimelineTool,
      customerCheckEligibilityTool,
      customerExportDataTool,
      customerAnonymizeTool,
      customerQuerySqlTool({
        sqlPool: deps.sqlPool,
        ...(deps.sqlStatementTimeoutMs === undefined ? {} : { statementTimeoutMs: deps.sqlStatementTimeoutMs }),
      }),
    ],
    resources: [customerResourceBinding, customerSchemaResourceBinding],
    prompts: [customerChurnAnalysisPrompt, customerSupportBriefPrompt],
  };
}
