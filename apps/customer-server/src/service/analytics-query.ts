import { createAnalyticsQuery } from '@mcpfed/db';
import { CUSTOMER_SQL_RELATIONS } from '@mcpfed/contract-customer';

/** Settings of {@link runAnalyticsQuery}: the pool of the read-only role `customer_sql_reader` and a timeout. */
export type { AnalyticsQueryConfig } from '@mcpfed/db';

/** customer_query_sql: one SELECT over the analytics views (CUSTOMER_SQL_RELATIONS), on the read-only role's pool. */
export const runAnalyticsQuery = createAnalyticsQuery({ allowedRelations: CUSTOMER_SQL_RELATIONS });
