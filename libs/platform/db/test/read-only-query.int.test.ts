import { AppError } from '@mcpfed/errors';
import { createTestDatabase, type TestDatabase } from '@mcpfed/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase } from '../src/create-database.ts';
import type { Database } from '../src/create-database.ts';
import { ensureReadOnlyRole, readOnlyConnectionString } from '../src/ensure-read-only-role.ts';
import { parseReadOnlyQuery } from '../src/parse-read-only-query.ts';
import { runReadOnlyQuery } from '../src/run-read-only-query.ts';
import { migrations } from './fixtures.ts';
import type { TestDb } from './fixtures.ts';

// Roles are cluster-wide: every test database (and parallel test file) shares this one, each granting it
// SELECT in its own database only.
const ROLE = 'mcpfed_db_test_sql_reader';
const allowedRelations = ['numbers', 'samples', 'customers'];

let testDb: TestDatabase<TestDb>;
let reader: Database<TestDb>;

beforeAll(async () => {
  testDb = await createTestDatabase<TestDb>({ name: 'db', migrations });
  await ensureReadOnlyRole(testDb.pool, { role: ROLE, relations: allowedRelations, database: testDb.name });
  reader = createDatabase<TestDb>({ connectionString: readOnlyConnectionString(testDb.url, ROLE), applicationName: 'db-sql-reader-test', max: 3 });
});

afterAll(async () => {
  await reader?.close();
  await testDb?.drop();
});

async function guardedQuery(sql: string, options: Parameters<typeof runReadOnlyQuery>[2] = {}) {
  const parsed = await parseReadOnlyQuery(sql, { allowedRelations });
  return runReadOnlyQuery(reader.pool, parsed.sql, options);
}

describe('ensureReadOnlyRole', () => {
  it('makes a login role without any elevated attribute, read-only by default', async () => {
    const { rows } = await testDb.pool.query(
      `SELECT rolcanlogin, rolsuper, rolcreatedb, rolcreaterole, rolinherit, rolreplication, rolbypassrls, rolconfig
         FROM pg_roles WHERE rolname = $1`,
      [ROLE],
    );
    expect(rows).toEqual([
      {
        rolcanlogin: true,
        rolsuper: false,
        rolcreatedb: false,
        rolcreaterole: false,
        rolinherit: false,
        rolreplication: false,
        rolbypassrls: false,
        rolconfig: ['default_transaction_read_only=on', 'statement_timeout=5000'],
      },
    ]);
  });

  it('connects as that role', async () => {
    const { rows } = await reader.pool.query<{ user: string; ro: string }>(
      "SELECT current_user AS user, current_setting('default_transaction_read_only') AS ro",
    );
    expect(rows[0]).toEqual({ user: ROLE, ro: 'on' });
  });

  it('grants SELECT on exactly the allow-listed relations', async () => {
    const { rows } = await testDb.pool.query<{ table_name: string; privilege_type: string }>(
      `SELECT table_name, privilege_type FROM information_schema.role_table_grants
        WHERE grantee = $1 AND table_catalog = current_database() ORDER BY table_name, privilege_type`,
      [ROLE],
    );
    expect(rows).toEqual([
      { table_name: 'customers', privilege_type: 'SELECT' },
      { table_name: 'numbers', privilege_type: 'SELECT' },
      { table_name: 'samples', privilege_type: 'SELECT' },
    ]);
  });

  it('cannot read a table that is not granted, even when the guard is bypassed', async () => {
    const error = await reader.pool.query('SELECT * FROM secrets').catch((e: unknown) => e);
    expect(error).toMatchObject({ code: '42501' });
    const viaTool = await runReadOnlyQuery(reader.pool, 'SELECT * FROM secrets').catch((e: unknown) => e);
    expect(viaTool).toMatchObject({ code: 'FORBIDDEN', details: { sqlstate: '42501' } });
  });

  it('cannot write even to a granted table outside the tool', async () => {
    const error = await reader.pool.query('INSERT INTO numbers VALUES (1000)').catch((e: unknown) => e);
    expect(error).toMatchObject({ code: '25006' });
  });

  it('is idempotent and converges: a relation dropped from the list loses its grant', async () => {
    await ensureReadOnlyRole(testDb.pool, { role: ROLE, relations: ['numbers'], database: testDb.name });
    await expect(reader.pool.query('SELECT count(*) FROM samples')).rejects.toMatchObject({ code: '42501' });
    await ensureReadOnlyRole(testDb.pool, { role: ROLE, relations: allowedRelations, database: testDb.name });
    const { rows } = await reader.pool.query('SELECT count(*)::int AS n FROM samples');
    expect(rows).toEqual([{ n: 1 }]);
  });

  it('survives concurrent callers, also from another database (roles are cluster-wide)', async () => {
    const other = await createTestDatabase<TestDb>({ name: 'db', migrations });
    try {
      const role = `mcpfed_db_race_${Math.random().toString(36).slice(2, 8)}`;
      await Promise.all([
        ...[1, 2, 3].map(() => ensureReadOnlyRole(testDb.pool, { role, relations: ['numbers'], database: testDb.name })),
        ...[1, 2, 3].map(() => ensureReadOnlyRole(other.pool, { role, relations: ['numbers'], database: other.name })),
      ]);
      const { rows } = await testDb.pool.query('SELECT count(*)::int AS n FROM pg_roles WHERE rolname = $1', [role]);
      expect(rows).toEqual([{ n: 1 }]);
      await other.drop();
      await testDb.pool.query(`DROP OWNED BY ${role}`);
      await testDb.pool.query(`DROP ROLE ${role}`);
    } finally {
      await other.drop();
    }
  });

  it('swaps the user of a connection string', () => {
    expect(readOnlyConnectionString('postgres://app:s3cret@db.internal:5432/customer?sslmode=require', 'customer_sql_reader')).toBe(
      'postgres://customer_sql_reader@db.internal:5432/customer?sslmode=require',
    );
    expect(readOnlyConnectionString('postgres://app@db/customer', 'reader', 'p@ss')).toBe('postgres://reader:p%40ss@db/customer');
  });

  it('validates the role name', async () => {
    await expect(ensureReadOnlyRole(testDb.pool, { role: 'Robert"; DROP', relations: [], database: testDb.name })).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      details: { option: 'role' },
    });
  });
});

describe('runReadOnlyQuery under the read-only role', () => {
  it('returns columns with SQL type names and rows as arrays in column order', async () => {
    const result = await guardedQuery('SELECT n, n * 2 AS double, n::text AS label FROM numbers WHERE n <= 3 ORDER BY n DESC');
    expect(result).toEqual({
      columns: [
        { name: 'n', type: 'integer' },
        { name: 'double', type: 'integer' },
        { name: 'label', type: 'text' },
      ],
      rows: [
        [3, 6, '3'],
        [2, 4, '2'],
        [1, 2, '1'],
      ],
      row_count: 3,
      truncated: false,
    });
  });

  it('returns JSON-safe values: exact int8/numeric/date text, parsed json, arrays', async () => {
    const result = await guardedQuery("SELECT big, price, at AT TIME ZONE 'UTC' AS at_utc, day, doc, tags, flag, raw FROM samples");
    expect(result.columns.map((column) => column.type)).toEqual([
      'bigint',
      'numeric',
      'timestamp without time zone',
      'date',
      'jsonb',
      'text[]',
      'boolean',
      'bytea',
    ]);
    expect(result.rows).toEqual([['9007199254740993', '12.50', '2025-01-02 03:04:05', '2025-01-02', { a: [1, 2] }, ['x', 'y'], true, '\\x0102']]);
  });

  it('caps rows: exactly rowCap rows and truncated: true', async () => {
    const capped = await guardedQuery('SELECT n FROM numbers ORDER BY n', { rowCap: 10 });
    expect(capped.rows).toEqual([[1], [2], [3], [4], [5], [6], [7], [8], [9], [10]]);
    expect(capped.row_count).toBe(10);
    expect(capped.truncated).toBe(true);
    const exact = await guardedQuery('SELECT n FROM numbers', { rowCap: 25 });
    expect(exact.row_count).toBe(25);
    expect(exact.truncated).toBe(false);
  });

  it('stops a long query at the statement timeout with TIMEOUT', async () => {
    const started = Date.now();
    const error = await guardedQuery('SELECT count(*) FROM generate_series(1, 100000000)', { statementTimeoutMs: 300 }).catch((e: unknown) => e);
    const elapsed = Date.now() - started;
    expect(error).toMatchObject({
      code: 'TIMEOUT',
      retryable: true,
      message: 'The query ran longer than 300 ms and was cancelled; narrow it or aggregate.',
      details: { statement_timeout_ms: 300 },
    });
    expect(elapsed).toBeGreaterThanOrEqual(250);
    expect(elapsed).toBeLessThan(1500);
  });

  it('reports a mistake in the query without the server message', async () => {
    const error = await guardedQuery('SELECT n / 0 FROM numbers').catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: 'VALIDATION_FAILED',
      message: 'The query failed: division by zero.',
      details: { reason: 'query_error', sqlstate: '22012' },
    });
    const unknownColumn = await guardedQuery('SELECT nope FROM numbers').catch((e: unknown) => e);
    expect(unknownColumn).toMatchObject({
      code: 'VALIDATION_FAILED',
      message: 'The query failed: undefined column.',
      details: { reason: 'query_error', sqlstate: '42703', position: 8, near: 'nope FROM numbers' },
    });
  });

  it('accepts only one statement even if handed unguarded SQL', async () => {
    const error = await runReadOnlyQuery(reader.pool, 'SELECT 1; SELECT 2').catch((e: unknown) => e);
    expect(AppError.is(error)).toBe(true);
    expect(error).toMatchObject({ code: 'VALIDATION_FAILED', details: { sqlstate: '42601' } });
  });

  it('rejects with the abort reason and leaves the pool usable', async () => {
    const controller = new AbortController();
    const reason = new AppError('TIMEOUT', 'tool deadline');
    setTimeout(() => controller.abort(reason), 100);
    await expect(guardedQuery('SELECT pg_catalog.count(*) FROM generate_series(1, 100000000)', { signal: controller.signal })).rejects.toBe(reason);
    const after = await guardedQuery('SELECT count(*)::int AS n FROM numbers');
    expect(after.rows).toEqual([[25]]);
  });

  it('always rolls back and returns healthy connections', async () => {
    for (let i = 0; i < 5; i += 1) await guardedQuery('SELECT 1');
    await guardedQuery('SELECT n / 0 FROM numbers').catch(() => undefined);
    const { rows } = await reader.pool.query<{ state: string }>("SELECT current_setting('transaction_read_only') AS state");
    expect(rows[0]?.state).toBe('on');
    expect(reader.pool.waitingCount).toBe(0);
    expect(reader.pool.totalCount).toBeLessThanOrEqual(3);
  });
});
