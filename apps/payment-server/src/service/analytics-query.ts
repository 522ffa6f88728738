import type { z } from 'zod';
import { parseReadOnlyQuery, runReadOnlyQuery } from '@mcpfed/db';
import type { SqlPool } from '@mcpfed/db';
import { PAYMENT_SQL_RELATIONS } from '@mcpfed/contract-payment';
import type { paymentQuerySql } from '@mcpfed/contract-payment';

/** Settings of {@link runAnalyticsQuery}. */
export interface AnalyticsQueryConfig {
  /** Pool connected as the read-only role `payment_sql_reader`, never as the owner. */
  sqlPool: SqlPool;
  /** `statement_timeout` of one analyst query, in milliseconds. Default 3000. */
  statementTimeoutMs?: number;
}

/**
 * payment_query_sql: the statement passes the parser guard (one SELECT over the analytics views only), then runs
 * on the read-only role's pool in a READ ONLY transaction with a timeout and a row cap — two walls, so a gap in
 * either one alone exposes nothing.
 */
export async function runAnalyticsQuery(
  config: AnalyticsQueryConfig,
  input: z.output<typeof paymentQuerySql.input>,
  signal?: AbortSignal,
): Promise<z.input<typeof paymentQuerySql.output>> {
  const parsed = await parseReadOnlyQuery(input.sql, { allowedRelations: PAYMENT_SQL_RELATIONS });
  return runReadOnlyQuery(config.sqlPool, parsed.sql, {
    rowCap: input.limit,
    statementTimeoutMs: config.statementTimeoutMs ?? 3000,
    ...(signal === undefined ? {} : { signal }),
  });
}
