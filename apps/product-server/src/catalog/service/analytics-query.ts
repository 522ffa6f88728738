import { createAnalyticsQuery } from '@mcpfed/db';
import { PRODUCT_SQL_RELATIONS } from '@mcpfed/contract-product';

/** Settings of {@link runAnalyticsQuery}: the pool of the read-only role `product_sql_reader` and a timeout. */
export type { AnalyticsQueryConfig } from '@mcpfed/db';

/** product_query_sql: one SELECT over the analytics views (PRODUCT_SQL_RELATIONS), on the read-only role's pool. */
export const runAnalyticsQuery = createAnalyticsQuery({ allowedRelations: PRODUCT_SQL_RELATIONS });
