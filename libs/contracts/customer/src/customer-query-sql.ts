import { defineQuerySqlTool } from '@mcpfed/contract-common';
import { CUSTOMER_SQL_VIEWS } from './sql-views.ts';

/** Maximum rows customer_query_sql returns. */
export { MAX_QUERY_SQL_ROWS as MAX_SQL_ROWS } from '@mcpfed/contract-common';

/** Runs one read-only SELECT over the customer domain's analytics views. */
export const customerQuerySql = defineQuerySqlTool({
  domain: 'customer',
  views: CUSTOMER_SQL_VIEWS,
  about: 'views that hold no personal data',
});
