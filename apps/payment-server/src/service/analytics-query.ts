import { createAnalyticsQuery } from '@mcpfed/db';
import { PAYMENT_SQL_RELATIONS } from '@mcpfed/contract-payment';

/** Settings of {@link runAnalyticsQuery}: the pool of the read-only role `payment_sql_reader` and a timeout. */
export type { AnalyticsQueryConfig } from '@mcpfed/db';

/** payment_query_sql: one SELECT over the analytics views (PAYMENT_SQL_RELATIONS), on the read-only role's pool. */
export const runAnalyticsQuery = createAnalyticsQuery({ allowedRelations: PAYMENT_SQL_RELATIONS });
