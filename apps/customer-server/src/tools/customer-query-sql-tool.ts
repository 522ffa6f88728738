import { customerQuerySql } from '@mcpfed/contract-customer';
import type { ToolBinding } from '@mcpfed/mcp-runtime';
import { runAnalyticsQuery } from '../service/analytics-query.ts';
import type { AnalyticsQueryConfig } from '../service/analytics-query.ts';
import type { CustomerDatabase } from '../store/customer-database.ts';
import { bindTool } from './bind.ts';

/** customer_query_sql -> runAnalyticsQuery on the read-only role's pool. */
export function customerQuerySqlTool(config: AnalyticsQueryConfig): ToolBinding<CustomerDatabase> {
  return bindTool(customerQuerySql, (input, ctx) => runAnalyticsQuery(config, input, ctx.signal));
}
