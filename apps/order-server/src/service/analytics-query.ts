import { createAnalyticsQuery } from '@mcpfed/db';
import { ORDER_SQL_RELATIONS } from '@mcpfed/contract-order';

/** Settings of {@link runAnalyticsQuery}: the pool of the read-only role `order_sql_reader` and a timeout. */
export type { AnalyticsQueryConfig } from '@mcpfed/db';

/** order_query_sql: one SELECT over the analytics views (ORDER_SQL_RELATIONS), on the read-only role's pool. */
export const runAnalyticsQuery = createAnalyticsQuery({ allowedRelations: ORDER_SQL_RELATIONS });
