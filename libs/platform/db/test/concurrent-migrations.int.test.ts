import { createTestDatabase, type TestDatabase } from '@mcpfed/testing';
import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase } from '../src/create-database.ts';
import type { Database } from '../src/create-database.ts';
import { migrateToLatest, migrationLockKey, pendingMigrations } from '../src/migrate-to-latest.ts';

// An empty database: these tests use their own migration tables, as two releases of one app would share one.
let testDb: TestDatabase<unknown>;
const extraPools: Database<unknown>[] = [];

beforeAll(async () => {
  testDb = await createTestDatabase({ name: 'dbmigrate', migrations: {} });
});

afterAll(async () => {
  await Promise.all(extraPools.map((pool) => pool.close()));
  await testDb?.drop();
});

/** A second process's pool on the same database: its own connections, as another pod's init container has. */
function anotherProcess(): Database<unknown> {
  const database = createDatabase({ connectionString: testDb.url, applicationName: 'mcpfed-test-migrate', max: 1, statementTimeoutMs: 0 });
  extraPools.push(database);
  return database;
}

describe('migrateToLatest run by two processes at once', () => {
  it('applies each migration exactly once: the second run waits on the advisory lock, then applies nothing', async () => {
    let entered!: () => void;
    const inside = new Promise<void>((resolve) => (entered = resolve));
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const migrations: Record<string, Migration> = {
      '0001_runs': {
        async up(db: Kysely<unknown>) {
          // No IF NOT EXISTS: a second, concurrent application would fail here (42P07).
          await db.schema
            .createTable('migration_runs')
            .addColumn('id', 'serial', (c) => c.primaryKey())
            .execute();
          await sql`INSERT INTO migration_runs DEFAULT VALUES`.execute(db);
          entered();
          await gate;
        },
      },
      '0002_more': {
        async up(db: Kysely<unknown>) {
          await sql`INSERT INTO migration_runs DEFAULT VALUES`.execute(db);
        },
      },
    };
    const options = { migrationTable: 'concurrent_migration', lockTable: 'concurrent_migration_lock' };
    const first = migrateToLatest(anotherProcess().db, migrations, options);
    await inside;
    const second = migrateToLatest(anotherProcess().db, migrations, options);

    // The second process waits for the lock the first holds (granted to one session, awaited by the other).
    const lockRows = async () =>
      (
        await testDb.pool.query<{ granted: boolean }>(
          "SELECT granted FROM pg_locks WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = current_database()) AND objid::bigint = (hashtext($1)::bigint & 4294967295) ORDER BY granted DESC",
          [migrationLockKey('concurrent_migration')],
        )
      ).rows.map((row) => row.granted);
    const deadline = Date.now() + 10_000;
    while ((await lockRows()).length < 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(await lockRows()).toEqual([true, false]);
    await expect(pendingMigrations(testDb.db, migrations, options)).resolves.toEqual(['0001_runs', '0002_more']);

    release();
    await expect(first).resolves.toEqual(['0001_runs', '0002_more']);
    await expect(second).resolves.toEqual([]);
    const { rows } = await testDb.pool.query<{ count: string }>('SELECT count(*) FROM migration_runs');
    expect(rows[0]?.count).toBe('2');
    const applied = await testDb.pool.query<{ name: string }>('SELECT name FROM concurrent_migration ORDER BY name');
    expect(applied.rows.map((row) => row.name)).toEqual(['0001_runs', '0002_more']);
    expect(await lockRows()).toEqual([]);
  });

  it('three concurrent runs on a fresh database all succeed, creating the bookkeeping tables once', async () => {
    const migrations: Record<string, Migration> = {
      '0001_once': {
        async up(db: Kysely<unknown>) {
          await db.schema.createTable('created_once').addColumn('id', 'integer').execute();
          await sql`SELECT pg_sleep(0.2)`.execute(db);
        },
      },
    };
    const options = { migrationTable: 'fresh_migration', lockTable: 'fresh_migration_lock' };
    const results = await Promise.all([1, 2, 3].map(() => migrateToLatest(anotherProcess().db, migrations, options)));
    expect(results.map((names) => names.join(',')).sort()).toEqual(['', '', '0001_once']);
    await expect(pendingMigrations(testDb.db, migrations, options)).resolves.toEqual([]);
  });
});

describe('pendingMigrations', () => {
  const migrations: Record<string, Migration> = {
    '0002_b': { up: async (db: Kysely<unknown>) => void (await sql`SELECT 1`.execute(db)) },
    '0001_a': { up: async (db: Kysely<unknown>) => void (await sql`SELECT 1`.execute(db)) },
  };

  it('names every migration, in name order, when the migration table does not exist yet', async () => {
    await expect(pendingMigrations(testDb.db, migrations, { migrationTable: 'never_created_migration' })).resolves.toEqual(['0001_a', '0002_b']);
  });

  it('names the migrations the database has not applied: the schema is older than the code', async () => {
    const options = { migrationTable: 'partial_migration', lockTable: 'partial_migration_lock' };
    await migrateToLatest(testDb.db, { '0001_a': migrations['0001_a'] as Migration }, options);
    await expect(pendingMigrations(testDb.db, migrations, options)).resolves.toEqual(['0002_b']);
    await migrateToLatest(testDb.db, migrations, options);
    await expect(pendingMigrations(testDb.db, migrations, options)).resolves.toEqual([]);
  });
});
