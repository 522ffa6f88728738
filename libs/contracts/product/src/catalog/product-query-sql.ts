import { defineQuerySqlTool } from '@mcpfed/contract-common';
import type { QuerySqlToolContract } from '@mcpfed/contract-common';
import type { SqlView } from './sql-views.ts';

/** Maximum rows product_query_sql returns. */
export { MAX_QUERY_SQL_ROWS as MAX_SQL_ROWS } from '@mcpfed/contract-common';

/**
 * Builds product_query_sql over an allow-list of relations (the catalog's views plus whatever the inventory
 * part adds), so the description always names exactly what the tool may read.
 */
export function defineProductQuerySql(views: readonly SqlView[]): QuerySqlToolContract {
  return defineQuerySqlTool({ domain: 'product', views, about: 'these views of the product database' });
}
