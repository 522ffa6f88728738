import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { MAX_QUERY_SQL_ROWS, defineQuerySqlTool, sqlRelationNames } from './query-sql-tool.ts';
import type { SqlView } from './query-sql-tool.ts';

const views: readonly SqlView[] = [
  {
    name: 'analytics_things',
    description: 'One row per thing.',
    columns: [
      { name: 'id', type: 'text', description: 'Thing id.' },
      { name: 'amount', type: 'bigint', description: 'Minor units.' },
    ],
  },
  { name: 'analytics_parts', description: 'One row per part.', columns: [{ name: 'thing_id', type: 'text', description: 'Joins.' }] },
];

describe('defineQuerySqlTool', () => {
  it('names the tool after the domain with the sql:read scope, read-only annotations, deadline and redaction', () => {
    const tool = defineQuerySqlTool({ domain: 'thing', views, about: 'views of things' });
    expect(tool.name).toBe('thing_query_sql');
    expect(tool.title).toBe('Query thing analytics (SQL)');
    expect(tool.scopes).toEqual(['sql:read']);
    expect(tool.annotations).toEqual({ readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false });
    expect(tool.idempotency).toBe('none');
    expect(tool.deadlineMs).toBe(10_000);
    expect(tool.redact).toEqual(['sql']);
    expect(Object.isFrozen(tool)).toBe(true);
  });

  it('names every view with its columns by default, and types them when asked', () => {
    const typed = defineQuerySqlTool({ domain: 'thing', views, about: 'views of things', columns: 'typed' });
    expect(typed.description).toContain(
      'over views of things: analytics_things(id text, amount bigint): One row per thing. analytics_parts(thing_id text): One row per part. Money is integer minor units',
    );
    expect(typed.description).toContain('schema://thing');
    const names = defineQuerySqlTool({ domain: 'thing', views, about: 'views of things', units: 'Amounts are minor units.' });
    expect(names.description).toContain('over views of things: analytics_things(id, amount); analytics_parts(thing_id). Amounts are minor units. Aggregate');
  });

  it('accepts one SQL text with a limit of 1-1000 defaulting to 100, and nothing else', () => {
    const { input } = defineQuerySqlTool({ domain: 'thing', views, about: 'views of things' });
    expect(input.parse({ sql: '  select 1 ' })).toEqual({ sql: 'select 1', limit: 100 });
    expect(input.safeParse({ sql: 'select 1', limit: MAX_QUERY_SQL_ROWS + 1 }).success).toBe(false);
    expect(input.safeParse({ sql: 'select 1', limit: 0 }).success).toBe(false);
    expect(input.safeParse({ sql: '   ' }).success).toBe(false);
    expect(input.safeParse({ sql: 'select 1', extra: true }).success).toBe(false);
    expect(z.toJSONSchema(input, { io: 'input' }).required).toEqual(['sql']);
  });

  it('returns the runReadOnlyQuery result shape', () => {
    const { output } = defineQuerySqlTool({ domain: 'thing', views, about: 'views of things' });
    const result = { columns: [{ name: 'n', type: 'integer' }], rows: [[1]], row_count: 1, truncated: false };
    expect(output.parse(result)).toEqual(result);
    expect(output.safeParse({ ...result, row_count: -1 }).success).toBe(false);
  });

  it('refuses a domain that does not make a snake_case tool name', () => {
    expect(() => defineQuerySqlTool({ domain: 'Thing', views, about: 'views of things' })).toThrow(/snake_case/);
  });
});

describe('sqlRelationNames', () => {
  it('lists the view names in order, frozen', () => {
    const names = sqlRelationNames(views);
    expect(names).toEqual(['analytics_things', 'analytics_parts']);
    expect(Object.isFrozen(names)).toBe(true);
  });
});
