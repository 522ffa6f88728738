import { parseOptions } from '@mcpfed/errors';
import { z } from 'zod';
import { relationNamesOption } from './option-checks.ts';
import { parseReadOnlyQuery } from './parse-read-only-query.ts';
import { runReadOnlyQuery } from './run-read-only-query.ts';
import type { ReadOnlyQueryResult } from './run-read-only-query.ts';
import type { SqlPool } from './sql-pool.ts';

/** Per-server settings of an {@link AnalyticsQuery}. */
export interface AnalyticsQueryConfig {
  /** Pool connected as the domain's read-only role (made by `ensureReadOnlyRole`), never as the owner. */
  sqlPool: SqlPool;
  /** `statement_timeout` of one analyst query, in milliseconds. Default 3000. */
  statementTimeoutMs?: number;
}

/** The input of a `<domain>_query_sql` call, as its contract parses it. */
export interface AnalyticsQueryInput {
  /** One SELECT statement over the allow-listed relations. */
  sql: string;
  /** Most rows returned (the row cap); more make `truncated: true`. */
  limit: number;
}

/** Runs one analyst query of a `<domain>_query_sql` tool; made by {@link createAnalyticsQuery}. */
export type AnalyticsQuery = (config: AnalyticsQueryConfig, input: AnalyticsQueryInput, signal?: AbortSignal) => Promise<ReadOnlyQueryResult>;

/** Options of {@link createAnalyticsQuery}. */
export interface AnalyticsQueryOptions {
  /** The relations the queries may read (`parseReadOnlyQuery`'s `allowedRelations`); the domain's views. */
  allowedRelations: readonly string[];
}

const DEFAULT_STATEMENT_TIMEOUT_MS = 3000;

const analyticsQueryOptions = z.object({ allowedRelations: relationNamesOption(true) });

/**
 * The service behind every `<domain>_query_sql` tool (docs/architecture.md §4): the statement passes the parser guard
 * (`parseReadOnlyQuery`: one SELECT over `allowedRelations` only), then runs on the read-only role's pool
 * (`runReadOnlyQuery`: READ ONLY transaction, `statement_timeout`, row cap `input.limit`) — two walls, so a gap
 * in either one alone exposes nothing. Refusals and query failures are those two functions' AppErrors.
 */
export function createAnalyticsQuery(options: AnalyticsQueryOptions): AnalyticsQuery {
  const { allowedRelations } = parseOptions('createAnalyticsQuery', analyticsQueryOptions, options);
  return async (config, input, signal) => {
    const parsed = await parseReadOnlyQuery(input.sql, { allowedRelations });
    return runReadOnlyQuery(config.sqlPool, parsed.sql, {
      rowCap: input.limit,
      statementTimeoutMs: config.statementTimeoutMs ?? DEFAULT_STATEMENT_TIMEOUT_MS,
      ...(signal === undefined ? {} : { signal }),
    });
  };
}
