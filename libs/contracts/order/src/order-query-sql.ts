import { defineQuerySqlTool } from '@mcpfed/contract-common';
import { ORDER_SQL_VIEWS } from './sql-views.ts';

/** Runs one read-only SELECT over the order domain's analytics views. */
export const orderQuerySql = defineQuerySqlTool({
  domain: 'order',
  views: ORDER_SQL_VIEWS,
  about: 'views without idempotency keys, principals or payment tokens',
  units: 'Amounts are bigint integer minor units; never add amounts of different currencies (GROUP BY currency).',
  columns: 'names',
});
