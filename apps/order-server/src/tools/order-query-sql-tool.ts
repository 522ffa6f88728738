import { customerReachOf, requireAnyCustomer } from '@mcpfed/auth';
import { orderQuerySql } from '@mcpfed/contract-order';
import type { ToolBinding } from '@mcpfed/mcp-runtime';
import { runAnalyticsQuery } from '../service/analytics-query.ts';
import type { AnalyticsQueryConfig } from '../service/analytics-query.ts';
import type { OrderDatabase } from '../store/order-database.ts';
import { bindTool } from './bind.ts';

/** order_query_sql -> runAnalyticsQuery on the read-only role's pool. */
export function orderQuerySqlTool(config: AnalyticsQueryConfig): ToolBinding<OrderDatabase> {
  return bindTool(orderQuerySql, (input, ctx) => {
    // The analytics views span every customer: a bound caller, or one without customer:any, may not read them.
    requireAnyCustomer(customerReachOf(ctx.principal), 'order_query_sql');
    return runAnalyticsQuery(config, input, ctx.signal);
  });
}
