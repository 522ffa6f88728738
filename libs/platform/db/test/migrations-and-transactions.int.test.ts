import { AppError } from '@mcpfed/errors';
import { createTestDatabase, type TestDatabase } from '@mcpfed/testing';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase } from '../src/create-database.ts';
import { inReadOnlyTransaction, inTransaction } from '../src/in-transaction.ts';
import { migrateToLatest } from '../src/migrate-to-latest.ts';
import { migrations } from './fixtures.ts';
import type { TestDb } from './fixtures.ts';

let testDb: TestDatabase<TestDb>;

beforeAll(async () => {
  testDb = await createTestDatabase<TestDb>({ name: 'db', migrations });
});

afterAll(async () => {
  await testDb?.drop();
});

describe('this test file', () => {
  it('has its own fresh database', async () => {
    const { rows } = await testDb.pool.query<{ name: string }>('SELECT current_database() AS name');
    expect(rows[0]?.name).toBe(testDb.name);
    expect(testDb.name).toMatch(/^t_db_[0-9a-f]{12}$/);
    expect(await testDb.db.selectFrom('customers').selectAll().execute()).toEqual([]);
  });
});

describe('migrateToLatest', () => {
  it('applied the migrations in name order, each once', async () => {
    const applied = await sql<{ name: string }>`SELECT name FROM kysely_migration ORDER BY timestamp, name`.execute(testDb.db);
    expect(applied.rows.map((row) => row.name)).toEqual(['0001_customers', '0002_secrets_and_numbers', '0003_samples']);
  });

  it('is idempotent: a second run applies nothing and changes nothing', async () => {
    await expect(migrateToLatest(testDb.db, migrations)).resolves.toEqual([]);
    const { rows } = await testDb.pool.query<{ count: string }>('SELECT count(*) FROM numbers');
    expect(rows[0]?.count).toBe('25');
  });

  it('applies only the new migration, and names a failing one', async () => {
    const more = {
      ...migrations,
      '0004_notes': {
        async up(db: Parameters<typeof migrateToLatest>[0]) {
          await db.schema.createTable('notes').addColumn('id', 'integer').execute();
        },
      },
    };
    await expect(migrateToLatest(testDb.db, more)).resolves.toEqual(['0004_notes']);

    const broken = {
      ...more,
      '0005_broken': {
        async up(db: Parameters<typeof migrateToLatest>[0]) {
          await db.schema.createTable('half_done').addColumn('id', 'integer').execute();
          await sql`SELECT * FROM no_such_table`.execute(db);
        },
      },
    };
    const error = await migrateToLatest(testDb.db, broken).catch((e: unknown) => e);
    expect(AppError.is(error)).toBe(true);
    expect(error).toMatchObject({ code: 'INTERNAL', message: 'Migration "0005_broken" failed.', details: { migration: '0005_broken' } });
    expect((error as AppError).cause).toMatchObject({ code: '42P01' });
    // The failed migration ran in a transaction: nothing of it remains.
    const { rows } = await testDb.pool.query("SELECT to_regclass('half_done') AS t");
    expect(rows[0]).toEqual({ t: null });
  });

  it('uses the given migration and lock tables', async () => {
    const applied = await migrateToLatest(
      testDb.db,
      { '0001_other': { up: async () => undefined } },
      {
        migrationTable: 'other_migrations',
        lockTable: 'other_migration_lock',
      },
    );
    expect(applied).toEqual(['0001_other']);
    const { rows } = await testDb.pool.query<{ name: string }>('SELECT name FROM other_migrations');
    expect(rows).toEqual([{ name: '0001_other' }]);
  });
});

describe('inTransaction', () => {
  it('commits when the function resolves', async () => {
    const id = await inTransaction(testDb.db, async (trx) => {
      await trx.insertInto('customers').values({ id: 'c_commit', email: 'commit@example.com', balance: 5 }).execute();
      return 'c_commit';
    });
    expect(id).toBe('c_commit');
    expect(await testDb.db.selectFrom('customers').select('balance').where('id', '=', 'c_commit').executeTakeFirst()).toEqual({ balance: 5 });
  });

  it('rolls back and rethrows when the function throws', async () => {
    const failure = new AppError('PRECONDITION_FAILED', 'stop');
    await expect(
      inTransaction(testDb.db, async (trx) => {
        await trx.insertInto('customers').values({ id: 'c_rollback', email: 'rollback@example.com' }).execute();
        throw failure;
      }),
    ).rejects.toBe(failure);
    expect(await testDb.db.selectFrom('customers').select('id').where('id', '=', 'c_rollback').execute()).toEqual([]);
  });

  it('maps driver errors and runs at the requested isolation level', async () => {
    const level = await inTransaction(
      testDb.db,
      async (trx) => (await sql<{ level: string }>`SELECT current_setting('transaction_isolation') AS level`.execute(trx)).rows[0]?.level,
      { isolation: 'serializable' },
    );
    expect(level).toBe('serializable');
    await expect(
      inTransaction(testDb.db, async (trx) => {
        await trx.insertInto('customers').values({ id: 'c_dup1', email: 'dup@example.com' }).execute();
        await trx.insertInto('customers').values({ id: 'c_dup2', email: 'dup@example.com' }).execute();
      }),
    ).rejects.toMatchObject({ code: 'CONFLICT', details: { reason: 'unique_violation' } });
    expect(await testDb.db.selectFrom('customers').select('id').where('email', '=', 'dup@example.com').execute()).toEqual([]);
  });
});

describe('inReadOnlyTransaction', () => {
  it('reads, in a READ ONLY transaction', async () => {
    const readOnly = await inReadOnlyTransaction(testDb.db, async (trx) => {
      const { rows } = await sql<{ ro: string }>`SELECT current_setting('transaction_read_only') AS ro`.execute(trx);
      return rows[0]?.ro;
    });
    expect(readOnly).toBe('on');
  });

  it('refuses an INSERT with FORBIDDEN (25006) and leaves no row', async () => {
    const error = await inReadOnlyTransaction(testDb.db, (trx) => trx.insertInto('customers').values({ id: 'c_ro', email: 'ro@example.com' }).execute()).catch(
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code: 'FORBIDDEN', message: 'Writing is not allowed in a read-only transaction.' });
    expect((error as AppError).cause).toMatchObject({ code: '25006' });
    expect(await testDb.db.selectFrom('customers').select('id').where('id', '=', 'c_ro').execute()).toEqual([]);
  });

  it('applies its statement timeout to its statements only', async () => {
    const started = Date.now();
    await expect(inReadOnlyTransaction(testDb.db, (trx) => sql`SELECT pg_sleep(5)`.execute(trx), { statementTimeoutMs: 200 })).rejects.toMatchObject({
      code: 'TIMEOUT',
      retryable: true,
    });
    expect(Date.now() - started).toBeLessThan(2000);
    const { rows } = await testDb.pool.query<{ statement_timeout: string }>('SHOW statement_timeout');
    expect(rows[0]?.statement_timeout).toBe('5s');
  });
});

describe('createDatabase', () => {
  it('opens a pool with the statement timeout and application name, pings, and closes idempotently', async () => {
    const database = createDatabase<TestDb>({ connectionString: testDb.url, applicationName: 'db-int-test', statementTimeoutMs: 1234, max: 2 });
    await database.ping();
    const { rows } = await database.pool.query<{ timeout: string; app: string }>(
      "SELECT current_setting('statement_timeout') AS timeout, current_setting('application_name') AS app",
    );
    expect(rows[0]).toEqual({ timeout: '1234ms', app: 'db-int-test' });
    expect(database.pool.totalCount).toBe(1);
    expect(database.pool.idleCount).toBe(1);
    expect(database.pool.waitingCount).toBe(0);
    await database.close();
    await database.close();
    await expect(database.pool.query('SELECT 1')).rejects.toThrow();
  });

  it('ping fails with UPSTREAM_UNAVAILABLE without naming the host', async () => {
    const database = createDatabase({ connectionString: 'postgres://nobody@127.0.0.1:1/none', applicationName: 'db-int-test', connectTimeoutMs: 1000 });
    const error = await database.ping().catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', retryable: true, message: 'The database is unavailable.' });
    expect((error as AppError).cause).toMatchObject({ code: 'ECONNREFUSED' });
    await database.close();
  });

  it('ping rejects with the abort reason when the signal aborts', async () => {
    const database = createDatabase({ connectionString: testDb.url, applicationName: 'db-int-test' });
    const reason = new AppError('TIMEOUT', 'deadline');
    await expect(database.ping(AbortSignal.abort(reason))).rejects.toBe(reason);
    await database.close();
  });

  it('validates its options without echoing the connection string', () => {
    expect(() => createDatabase({ connectionString: 'mysql://u:pw@h/db', applicationName: 'x' })).toThrow(
      expect.objectContaining({ code: 'VALIDATION_FAILED', message: 'createDatabase: connectionString must be a postgres:// URL.' }),
    );
    expect(() => createDatabase({ connectionString: testDb.url, applicationName: 'x', max: 0 })).toThrow(
      'createDatabase: max must be an integer from 1 to 1000.',
    );
  });
});
