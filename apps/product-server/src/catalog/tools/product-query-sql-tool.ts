import { productQuerySql } from '@mcpfed/contract-product';
import type { ToolBinding } from '@mcpfed/mcp-runtime';
import type { ProductDatabase } from '../../store/product-database.ts';
import { runAnalyticsQuery } from '../service/analytics-query.ts';
import type { AnalyticsQueryConfig } from '../service/analytics-query.ts';
import { bindTool } from './bind-tool.ts';

/** product_query_sql -> runAnalyticsQuery on the read-only role's pool. */
export function productQuerySqlTool(config: AnalyticsQueryConfig): ToolBinding<ProductDatabase> {
  return bindTool(productQuerySql, (input, ctx) => runAnalyticsQuery(config, input, ctx.signal));
}
