import { AppError } from '@mcpfed/errors';
import { describe, expect, it } from 'vitest';
import { createAnalyticsQuery } from './create-analytics-query.ts';
import type { SqlClient, SqlPool, SqlQueryConfig } from './sql-pool.ts';

/** A pool whose one connection records statements and answers the FETCH with `rows` of one int4 column. */
function recordingPool(rows: unknown[][]): { pool: SqlPool; statements: string[]; connects: () => number } {
  const statements: string[] = [];
  let connects = 0;
  const client: SqlClient = {
    async query<R>(textOrConfig: string | SqlQueryConfig, values?: unknown[]) {
      const text = typeof textOrConfig === 'string' ? textOrConfig : textOrConfig.text;
      const params = typeof textOrConfig === 'string' ? values : textOrConfig.values;
      statements.push(params === undefined ? text : `${text} ${JSON.stringify(params)}`);
      if (text.startsWith('FETCH')) return { rows: rows as R[], rowCount: rows.length, fields: [{ name: 'n', dataTypeID: 23 }] };
      if (text.includes('pg_type')) return { rows: [{ oid: 23, name: 'integer' }] as R[], rowCount: 1, fields: [] };
      return { rows: [], rowCount: null, fields: [] };
    },
    release() {},
  };
  const pool: SqlPool = {
    query: () => Promise.reject(new Error('the service must check out one connection')),
    connect: async () => {
      connects += 1;
      return client;
    },
  };
  return { pool, statements, connects: () => connects };
}

describe('createAnalyticsQuery', () => {
  const run = createAnalyticsQuery({ allowedRelations: ['analytics_numbers'] });

  it('runs an allow-listed SELECT read-only with the default 3000 ms timeout and caps rows at limit', async () => {
    const { pool, statements } = recordingPool([[1], [2], [3]]);
    const result = await run({ sqlPool: pool }, { sql: 'SELECT n FROM analytics_numbers;', limit: 2 });
    expect(result).toEqual({ columns: [{ name: 'n', type: 'integer' }], rows: [[1], [2]], row_count: 2, truncated: true });
    expect(statements.slice(0, 4)).toEqual([
      'BEGIN TRANSACTION READ ONLY',
      `SELECT set_config('statement_timeout', $1, true) ["3000"]`,
      'DECLARE mcpfed_query NO SCROLL CURSOR FOR SELECT n FROM analytics_numbers',
      'FETCH FORWARD 3 FROM mcpfed_query',
    ]);
    expect(statements.at(-1)).toBe('ROLLBACK');
  });

  it('uses the configured statement timeout', async () => {
    const { pool, statements } = recordingPool([]);
    await run({ sqlPool: pool, statementTimeoutMs: 750 }, { sql: 'SELECT n FROM analytics_numbers', limit: 10 });
    expect(statements[1]).toBe(`SELECT set_config('statement_timeout', $1, true) ["750"]`);
  });

  it('refuses a relation outside the allow-list before touching the pool', async () => {
    const { pool, connects } = recordingPool([]);
    const error = await run({ sqlPool: pool }, { sql: 'SELECT * FROM secrets', limit: 10 }).catch((caught: unknown) => caught);
    expect(AppError.is(error) && error.code).toBe('VALIDATION_FAILED');
    expect(AppError.is(error) && error.details?.['reason']).toBe('relation_not_allowed');
    expect(connects()).toBe(0);
  });

  it('validates its allow-list up front', () => {
    expect(() => createAnalyticsQuery({ allowedRelations: [] })).toThrow(/allowedRelations must list at least one relation/);
    expect(() => createAnalyticsQuery({ allowedRelations: ['Bad Name'] })).toThrow(/allowedRelations must be lower-case relation names/);
  });
});
