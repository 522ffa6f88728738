import { AppError } from '@mcpfed/errors';
import { describe, expect, it } from 'vitest';
import { parseReadOnlyQuery } from './parse-read-only-query.ts';
import type { ReadOnlyQueryRefusal } from './parse-read-only-query.ts';

const allowedRelations = ['allowed', 'orders', 'reporting.totals'];

async function refusal(sql: string): Promise<{ reason: unknown; message: string; details: Record<string, unknown> }> {
  try {
    await parseReadOnlyQuery(sql, { allowedRelations });
  } catch (error) {
    if (!AppError.is(error)) throw error;
    expect(error.code).toBe('VALIDATION_FAILED');
    return { reason: error.details?.['reason'], message: error.message, details: error.details ?? {} };
  }
  throw new Error(`accepted: ${sql}`);
}

describe('parseReadOnlyQuery', () => {
  it.each<[string, string, string[]]>([
    ['plain select', 'SELECT id, total FROM orders WHERE total > 10 ORDER BY id', ['orders']],
    ['schema-qualified public name', 'SELECT * FROM public.orders', ['orders']],
    ['qualified allow-list entry', 'SELECT * FROM reporting.totals', ['reporting.totals']],
    ['join and subquery', 'SELECT o.id FROM orders o JOIN allowed a ON a.id = o.id WHERE o.id IN (SELECT id FROM allowed)', ['allowed', 'orders']],
    ['CTE referenced by name', 'WITH recent AS (SELECT * FROM orders) SELECT count(*) FROM recent', ['orders']],
    ['later CTE reads an earlier one', 'WITH a AS (SELECT 1 AS x), b AS (SELECT x FROM a) SELECT * FROM b', []],
    ['recursive CTE', 'WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 5) SELECT * FROM n', []],
    ['set operation', 'SELECT id FROM orders UNION SELECT id FROM allowed', ['allowed', 'orders']],
    ['generate_series and current_setting', "SELECT count(*), current_setting('TimeZone') FROM generate_series(1, 3)", []],
    ['lateral', 'SELECT * FROM orders o, LATERAL (SELECT * FROM allowed a WHERE a.id = o.id) x', ['allowed', 'orders']],
    ['VALUES', 'VALUES (1, 2)', []],
    ['TABLE', 'TABLE orders', ['orders']],
  ])('accepts %s', async (_label, sql, relations) => {
    await expect(parseReadOnlyQuery(sql, { allowedRelations })).resolves.toEqual({ sql, relations });
  });

  it('returns the one statement without the trailing semicolon and comments around it', async () => {
    const parsed = await parseReadOnlyQuery("  SELECT 'é' FROM orders ;  ", { allowedRelations });
    expect(parsed.sql).toBe("SELECT 'é' FROM orders");
  });

  it.each<[string, ReadOnlyQueryRefusal, Record<string, unknown>]>([
    ['INSERT INTO orders VALUES (1)', 'not_select', { statement: 'InsertStmt' }],
    ['UPDATE orders SET total = 0', 'not_select', { statement: 'UpdateStmt' }],
    ['DELETE FROM orders', 'not_select', { statement: 'DeleteStmt' }],
    ['MERGE INTO orders o USING allowed a ON o.id = a.id WHEN MATCHED THEN DELETE', 'not_select', { statement: 'MergeStmt' }],
    ['DROP TABLE orders', 'not_select', { statement: 'DropStmt' }],
    ["SET role = 'postgres'", 'not_select', { statement: 'VariableSetStmt' }],
    ['COPY orders TO STDOUT', 'not_select', { statement: 'CopyStmt' }],
    ['CALL do_it()', 'not_select', { statement: 'CallStmt' }],
    ['DO $$ BEGIN PERFORM 1; END $$', 'not_select', { statement: 'DoStmt' }],
    ['EXPLAIN ANALYZE SELECT * FROM orders', 'not_select', { statement: 'ExplainStmt' }],
    ['LOCK TABLE orders', 'not_select', { statement: 'LockStmt' }],
    ['CREATE TABLE x AS SELECT * FROM orders', 'not_select', { statement: 'CreateTableAsStmt' }],
    ['SELECT 1; SELECT 2', 'multiple_statements', { statements: 2 }],
    ['  ; -- nothing', 'no_statement', {}],
    ['WITH x AS (DELETE FROM orders RETURNING *) SELECT * FROM x', 'data_modifying_cte', {}],
    ['WITH x AS (INSERT INTO orders VALUES (1) RETURNING *) SELECT * FROM x', 'data_modifying_cte', {}],
    ['SELECT * FROM secret_table', 'relation_not_allowed', { relation: 'secret_table' }],
    ['SELECT * FROM pg_catalog.pg_authid', 'relation_not_allowed', { relation: 'pg_catalog.pg_authid' }],
    ['SELECT * FROM pg_authid', 'relation_not_allowed', { relation: 'pg_authid' }],
    ['SELECT * FROM information_schema.tables', 'relation_not_allowed', { relation: 'information_schema.tables' }],
    ['SELECT * FROM other.orders', 'relation_not_allowed', { relation: 'other.orders' }],
    ['SELECT * FROM totals', 'relation_not_allowed', { relation: 'totals' }],
    ['SELECT * FROM mydb.public.orders', 'relation_not_allowed', { relation: 'mydb.public.orders' }],
    ['SELECT * FROM orders WHERE id IN (SELECT id FROM secret_table)', 'relation_not_allowed', { relation: 'secret_table' }],
    ['SELECT (SELECT max(x) FROM secret_table) FROM orders', 'relation_not_allowed', { relation: 'secret_table' }],
    ['SELECT * FROM orders o JOIN secret_table s ON true', 'relation_not_allowed', { relation: 'secret_table' }],
    ['SELECT * FROM orders, LATERAL (SELECT * FROM secret_table) s', 'relation_not_allowed', { relation: 'secret_table' }],
    ['WITH x AS (SELECT * FROM secret_table) SELECT * FROM x', 'relation_not_allowed', { relation: 'secret_table' }],
    // The CTE named like a real table is only in scope inside its own WITH; outside it means the table.
    ['SELECT * FROM secret_table, (WITH secret_table AS (SELECT 1) SELECT * FROM secret_table) s', 'relation_not_allowed', { relation: 'secret_table' }],
    ['WITH a AS (SELECT * FROM b), b AS (SELECT 1) SELECT * FROM a', 'relation_not_allowed', { relation: 'b' }],
    ['SELECT * FROM orders TABLESAMPLE SYSTEM (10) JOIN secret_table ON true', 'relation_not_allowed', { relation: 'secret_table' }],
    ['SELECT pg_sleep(10)', 'function_not_allowed', { function: 'pg_sleep' }],
    ["SELECT pg_catalog.pg_sleep_for('1 minute')", 'function_not_allowed', { function: 'pg_catalog.pg_sleep_for' }],
    ["SELECT set_config('role','postgres',true)", 'function_not_allowed', { function: 'set_config' }],
    ["SELECT pg_read_file('/etc/passwd')", 'function_not_allowed', { function: 'pg_read_file' }],
    ["SELECT * FROM pg_ls_dir('.')", 'function_not_allowed', { function: 'pg_ls_dir' }],
    ["SELECT lo_import('/etc/passwd')", 'function_not_allowed', { function: 'lo_import' }],
    ["SELECT * FROM dblink('host=x', 'DELETE FROM orders') AS t(x int)", 'function_not_allowed', { function: 'dblink' }],
    ['SELECT pg_terminate_backend(1)', 'function_not_allowed', { function: 'pg_terminate_backend' }],
    ['SELECT pg_advisory_lock(1)', 'function_not_allowed', { function: 'pg_advisory_lock' }],
    ["SELECT query_to_xml('SELECT * FROM secret_table', true, true, '')", 'function_not_allowed', { function: 'query_to_xml' }],
    ["SELECT table_to_xml('secret_table', true, true, '')", 'function_not_allowed', { function: 'table_to_xml' }],
    ['SELECT txid_current()', 'function_not_allowed', { function: 'txid_current' }],
    ["SELECT pg_notify('c', 'x')", 'function_not_allowed', { function: 'pg_notify' }],
    ["SELECT nextval('orders_id_seq')", 'function_not_allowed', { function: 'nextval' }],
    ['SELECT id FROM orders WHERE id = (SELECT pg_sleep(1))::text::int', 'function_not_allowed', { function: 'pg_sleep' }],
    ['SELECT * INTO new_t FROM allowed', 'select_into', {}],
    ['SELECT * FROM allowed FOR UPDATE', 'locking_clause', {}],
    ['SELECT * FROM orders WHERE id IN (SELECT id FROM allowed FOR SHARE)', 'locking_clause', {}],
  ])('refuses %s', async (sql, reason, details) => {
    const refused = await refusal(sql);
    expect(refused.reason).toBe(reason);
    expect(refused.details).toMatchObject(details);
  });

  it('says where a parse error is', async () => {
    const refused = await refusal('SELECT * FROM orders WHERE');
    expect(refused.reason).toBe('parse_error');
    expect(refused.details['position']).toBe(27);
    expect(refused.message).toBe('The query could not be parsed: syntax error at end of input (at character 27).');
    const garbage = await refusal('SELEC 1');
    expect(garbage.details).toEqual({ reason: 'parse_error', position: 1 });
    expect(garbage.message).toContain('syntax error at or near "SELEC"');
  });

  it('refuses a query longer than maxLength', async () => {
    await expect(parseReadOnlyQuery('SELECT 1', { allowedRelations, maxLength: 5 })).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      details: { reason: 'too_long', max_length: 5 },
    });
  });

  it('lists the allowed relations when refusing one', async () => {
    const refused = await refusal('SELECT * FROM secret_table');
    expect(refused.message).toBe('Relation "secret_table" is not available to this query.');
    expect(refused.details['allowed_relations']).toEqual(allowedRelations);
  });

  it('rejects allow-list entries it could not match safely', async () => {
    await expect(parseReadOnlyQuery('SELECT 1', { allowedRelations: ['Orders'] })).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      details: { option: 'allowedRelations' },
    });
    await expect(parseReadOnlyQuery('SELECT 1', { allowedRelations: ['pg_class'] })).rejects.toMatchObject({
      details: { option: 'allowedRelations' },
    });
  });
});
