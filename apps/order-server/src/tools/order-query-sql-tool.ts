import { orderQuerySql } from '@mcpfed/contract-order';
import type { ToolBinding } from '@mcpfed/mcp-runtime';
import { runAnalyticsQuery } from '../service/analytics-query.ts';
import type { AnalyticsQueryConfig } from '../service/analytics-query.ts';
import type { OrderDatabase } from '../store/order-database.ts';
import { bindTool } from './bind.ts';

/** order_query_sql -> runAnalyticsQuery on the read-only role's pool. */
export function orderQuerySqlTool(config: AnalyticsQueryConfig): ToolBinding<OrderDatabase> {
  return bindTool(orderQuerySql, (input, ctx) => runAnalyticsQuery(config, input, ctx.signal));
}
