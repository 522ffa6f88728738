import { customerReachOf, requireAnyCustomer } from '@mcpfed/auth';
import { customerQuerySql } from '@mcpfed/contract-customer';
import type { ToolBinding } from '@mcpfed/mcp-runtime';
import { runAnalyticsQuery } from '../service/analytics-query.ts';
import type { AnalyticsQueryConfig } from '../service/analytics-query.ts';
import type { CustomerDatabase } from '../store/customer-database.ts';
import { bindTool } from './bind.ts';

/** customer_query_sql -> runAnalyticsQuery on the read-only role's pool. */
export function customerQuerySqlTool(config: AnalyticsQueryConfig): ToolBinding<CustomerDatabase> {
  return bindTool(customerQuerySql, (input, ctx) => {
    // The analytics views span every customer: a bound caller, or one without customer:any, may not read them.
    requireAnyCustomer(customerReachOf(ctx.principal), 'customer_query_sql');
    return runAnalyticsQuery(config, input, ctx.signal);
  });
}
