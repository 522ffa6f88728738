import { defineQuerySqlTool } from '@mcpfed/contract-common';
import { PAYMENT_SQL_VIEWS } from './sql-views.ts';

/** Maximum rows payment_query_sql returns. */
export { MAX_QUERY_SQL_ROWS as MAX_PAYMENT_SQL_ROWS } from '@mcpfed/contract-common';

/** Runs one read-only SELECT over the payment domain's analytics views. */
export const paymentQuerySql = defineQuerySqlTool({
  domain: 'payment',
  views: PAYMENT_SQL_VIEWS,
  about: 'views without card tokens or secrets',
  units: 'Amounts are bigint integer minor units; never add amounts of different currencies (GROUP BY currency).',
  // Four wide views: typed docs would crowd the description; schema://payment has the types and meanings.
  columns: 'names',
});
