import { AppError } from '@mcpfed/errors';
import { createTestDatabase, type TestDatabase } from '@mcpfed/testing';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loggableError } from '../src/loggable-error.ts';
import { mapDatabaseError } from '../src/map-database-error.ts';
import { migrations } from './fixtures.ts';
import type { TestDb } from './fixtures.ts';

let testDb: TestDatabase<TestDb>;

beforeAll(async () => {
  testDb = await createTestDatabase<TestDb>({ name: 'db', migrations });
  await testDb.pool.query("INSERT INTO customers (id, email, balance) VALUES ('c1', 'one@example.com', 10), ('c2', 'two@example.com', 20)");
});

afterAll(async () => {
  await testDb?.drop();
});

/** Runs `fn` and returns what it threw, mapped. */
async function mapped(fn: () => Promise<unknown>): Promise<AppError> {
  try {
    await fn();
  } catch (error) {
    const result = mapDatabaseError(error);
    if (!AppError.is(result)) throw error;
    expect(result.cause).toBe(error);
    return result;
  }
  throw new Error('did not fail');
}

describe('mapDatabaseError on real PostgreSQL errors', () => {
  it('this test file has its own database', async () => {
    const { rows } = await testDb.pool.query<{ name: string }>('SELECT current_database() AS name');
    expect(rows[0]?.name).toBe(testDb.name);
    const { rows: customers } = await testDb.pool.query('SELECT id FROM customers ORDER BY id');
    expect(customers).toEqual([{ id: 'c1' }, { id: 'c2' }]);
  });

  it('57014 statement timeout -> TIMEOUT', async () => {
    const client = await testDb.pool.connect();
    try {
      await client.query("SET statement_timeout = '100ms'");
      const error = await mapped(() => client.query('SELECT pg_sleep(3)'));
      expect(error).toMatchObject({ code: 'TIMEOUT', retryable: true, message: 'The database statement took too long and was cancelled.' });
    } finally {
      client.release(true);
    }
  });

  it('23505 unique violation -> CONFLICT naming neither the value nor the constraint', async () => {
    const error = await mapped(() => testDb.pool.query("INSERT INTO customers (id, email) VALUES ('c3', 'one@example.com')"));
    expect(error).toMatchObject({ code: 'CONFLICT', retryable: false, details: { reason: 'unique_violation' } });
    expect(error.message).toMatch(/^A record with the same unique key already exists/);
    expect(JSON.stringify({ message: error.message, details: error.details })).not.toMatch(/one@example\.com|customers_email_key|customers/);
  });

  it('23514 check violation -> PRECONDITION_FAILED without the constraint name', async () => {
    const error = await mapped(() => testDb.pool.query("UPDATE customers SET balance = -1 WHERE id = 'c1'"));
    expect(error).toMatchObject({ code: 'PRECONDITION_FAILED', details: { reason: 'check_violation' } });
    expect(JSON.stringify(error.details)).not.toContain('customers_balance_check');
  });

  it('40001 serialization failure -> retryable CONFLICT', async () => {
    const a = await testDb.pool.connect();
    const b = await testDb.pool.connect();
    try {
      await a.query('BEGIN ISOLATION LEVEL SERIALIZABLE');
      await b.query('BEGIN ISOLATION LEVEL SERIALIZABLE');
      await a.query("SELECT balance FROM customers WHERE id = 'c1'");
      await b.query("SELECT balance FROM customers WHERE id = 'c1'");
      await a.query("UPDATE customers SET balance = balance + 1 WHERE id = 'c1'");
      await a.query('COMMIT');
      const error = await mapped(() => b.query("UPDATE customers SET balance = balance + 1 WHERE id = 'c1'"));
      expect(error).toMatchObject({ code: 'CONFLICT', retryable: true, details: { sqlstate: '40001' } });
    } finally {
      await b.query('ROLLBACK');
      a.release();
      b.release();
    }
  });

  it('40P01 deadlock -> retryable CONFLICT', async () => {
    const a = await testDb.pool.connect();
    const b = await testDb.pool.connect();
    try {
      await a.query('BEGIN');
      await b.query('BEGIN');
      await a.query("UPDATE customers SET balance = balance WHERE id = 'c1'");
      await b.query("UPDATE customers SET balance = balance WHERE id = 'c2'");
      const first = a.query("UPDATE customers SET balance = balance WHERE id = 'c2'");
      const second = b.query("UPDATE customers SET balance = balance WHERE id = 'c1'");
      const results = await Promise.allSettled([first, second]);
      const failed = results.find((result) => result.status === 'rejected');
      const error = mapDatabaseError((failed as PromiseRejectedResult).reason);
      expect(error).toMatchObject({ code: 'CONFLICT', retryable: true, details: { sqlstate: '40P01' } });
    } finally {
      await a.query('ROLLBACK');
      await b.query('ROLLBACK');
      a.release();
      b.release();
    }
  });

  it('refused connection -> UPSTREAM_UNAVAILABLE without the host in the message', async () => {
    const client = new pg.Client({ connectionString: 'postgres://x@127.0.0.1:1/none', connectionTimeoutMillis: 1000 });
    const error = await mapped(() => client.connect());
    expect(error).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', retryable: true, message: 'The database is unavailable.' });
    expect(error.message).not.toContain('127.0.0.1');
  });

  it('a connection killed by the server -> UPSTREAM_UNAVAILABLE', async () => {
    const client = new pg.Client({ connectionString: testDb.url });
    client.on('error', () => undefined);
    await client.connect();
    const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    await testDb.pool.query('SELECT pg_terminate_backend($1)', [rows[0]?.pid]);
    const error = await mapped(() => client.query('SELECT 1'));
    expect(error.code).toBe('UPSTREAM_UNAVAILABLE');
    await client.end().catch(() => undefined);
  });

  it('a missing database -> UPSTREAM_UNAVAILABLE', async () => {
    const client = new pg.Client({ connectionString: new URL('/no_such_database_here', testDb.url).toString() });
    const error = await mapped(() => client.connect());
    expect(error.code).toBe('UPSTREAM_UNAVAILABLE');
    expect((error.cause as { code?: string }).code).toBe('3D000');
  });

  it('returns other errors unchanged', async () => {
    const error = await testDb.pool.query('SELECT * FROM no_such_table').catch((e: unknown) => e);
    expect((error as { code?: string }).code).toBe('42P01');
    expect(mapDatabaseError(error)).toBe(error);
  });
});

describe('loggableError on real PostgreSQL errors', () => {
  async function thrown(fn: () => Promise<unknown>): Promise<unknown> {
    try {
      await fn();
    } catch (error) {
      return error;
    }
    throw new Error('did not fail');
  }

  it('keeps the SQLSTATE and names, never the failing row, the driver message or the values', async () => {
    const raw = await thrown(() => testDb.pool.query("INSERT INTO customers (id, email) VALUES ('c4', 'one@example.com')"));
    // What was logged before: the whole error, whose detail holds the row's email.
    expect((raw as { detail?: string }).detail).toContain('one@example.com');
    const safe = loggableError(raw) as Record<string, unknown>;
    expect(safe).toMatchObject({
      type: 'DatabaseError',
      code: '23505',
      severity: 'ERROR',
      table: 'customers',
      constraint: 'customers_email_key',
      message: 'database error 23505 (integrity constraint violation)',
    });
    expect(Object.keys(safe).sort()).toEqual(['code', 'constraint', 'message', 'routine', 'schema', 'severity', 'stack', 'table', 'type']);
    expect(JSON.stringify(safe)).not.toContain('one@example.com');
    const badInput = loggableError(await thrown(() => testDb.pool.query("SELECT 'secret-value-42'::int"))) as Record<string, unknown>;
    expect(badInput).toMatchObject({ code: '22P02', message: 'database error 22P02 (data exception)' });
    expect(JSON.stringify(badInput)).not.toContain('secret-value-42');
  });

  it('cleans a driver error that is the cause of another, and leaves other errors alone', async () => {
    const raw = await thrown(() => testDb.pool.query("INSERT INTO customers (id, email) VALUES ('c5', 'two@example.com')"));
    const wrapped = loggableError(new AppError('INTERNAL', 'saving failed', { cause: new Error('store', { cause: raw }) })) as Record<string, unknown>;
    expect(wrapped).toMatchObject({
      type: 'AppError',
      code: 'INTERNAL',
      message: 'saving failed',
      cause: { type: 'Error', message: 'store', cause: { code: '23505' } },
    });
    expect(JSON.stringify(wrapped)).not.toContain('two@example.com');
    const plain = new Error('connect ECONNREFUSED');
    expect(loggableError(plain)).toBe(plain);
  });
});
