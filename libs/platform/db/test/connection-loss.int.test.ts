/**
 * A connection lost while it is checked out of the pool (the server restarted, a failover, pg_terminate_backend)
 * must fail the work on it with a retryable UPSTREAM_UNAVAILABLE and leave the process running: pg emits
 * 'error' on such a client, and an 'error' event nobody listens to kills a Node process. Before the pool
 * listened on checked-out connections, each case below ended the test run with an unhandled error.
 */
import { AppError } from '@mcpfed/errors';
import { createTestDatabase, type TestDatabase } from '@mcpfed/testing';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase } from '../src/create-database.ts';
import type { Database } from '../src/create-database.ts';
import { inTransaction } from '../src/in-transaction.ts';
import { mapDatabaseError } from '../src/map-database-error.ts';
import { migrations } from './fixtures.ts';
import type { TestDb } from './fixtures.ts';

let testDb: TestDatabase<TestDb>;
const opened: Database<TestDb>[] = [];
const seen: Error[] = [];

beforeAll(async () => {
  testDb = await createTestDatabase<TestDb>({ name: 'db_loss', migrations });
});

afterAll(async () => {
  await Promise.all(opened.map((database) => database.close()));
  await testDb?.drop();
});

function open(applicationName: string): Database<TestDb> {
  const database = createDatabase<TestDb>({ connectionString: testDb.url, applicationName, max: 2, onConnectionError: (error) => seen.push(error) });
  opened.push(database);
  return database;
}

/** Terminates every backend of `applicationName` (as a failover or an operator would) and returns how many. */
async function terminate(applicationName: string): Promise<number> {
  const { rows } = await testDb.pool.query<{ n: number }>(
    'SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity WHERE application_name = $1 AND pid <> pg_backend_pid()',
    [applicationName],
  );
  return rows[0]?.n ?? 0;
}

/** Polls until `applicationName` has a backend running `SELECT pg_sleep` (the statement is in flight). */
async function untilSleeping(applicationName: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const { rows } = await testDb.pool.query(
      "SELECT 1 FROM pg_stat_activity WHERE application_name = $1 AND state = 'active' AND query LIKE 'SELECT pg_sleep%'",
      [applicationName],
    );
    if (rows.length > 0) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`${applicationName} never started its statement`);
}

describe('createDatabase: a checked-out connection that loses its server', () => {
  it('fails the transaction waiting on the app with UPSTREAM_UNAVAILABLE, and the pool serves the next query', async () => {
    const database = open('loss-idle-in-transaction');
    const before = seen.length;
    const outcome = inTransaction(database.db, async (trx) => {
      await sql`SELECT 1`.execute(trx);
      // The connection is checked out and idle in the transaction while the app does other work.
      expect(await terminate('loss-idle-in-transaction')).toBe(1);
      await expect.poll(() => seen.length, { timeout: 10_000 }).toBeGreaterThan(before);
      await sql`SELECT 2`.execute(trx);
    }).catch((error: unknown) => error);
    const error = await outcome;
    expect(AppError.is(error)).toBe(true);
    expect(error).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', retryable: true, message: 'The database is unavailable.' });
    const { rows } = await database.pool.query<{ n: number }>('SELECT 3::int AS n');
    expect(rows).toEqual([{ n: 3 }]);
  });

  it('rejects a statement in flight with UPSTREAM_UNAVAILABLE and reports the lost connection once it is gone', async () => {
    const database = open('loss-in-flight');
    const before = seen.length;
    const client = await database.pool.connect();
    const running = client.query('SELECT pg_sleep(30)').catch((error: unknown) => error);
    await untilSleeping('loss-in-flight');
    expect(await terminate('loss-in-flight')).toBe(1);
    const mapped = mapDatabaseError(await running);
    expect(mapped).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', retryable: true });
    await expect.poll(() => seen.length, { timeout: 10_000 }).toBeGreaterThan(before);
    client.release();
    expect(database.pool.totalCount).toBe(0);
    const { rows } = await database.pool.query<{ n: number }>('SELECT 4::int AS n');
    expect(rows).toEqual([{ n: 4 }]);
  });

  it('survives losing every connection of a busy pool at once: each caller gets UPSTREAM_UNAVAILABLE, none crashes', async () => {
    const database = open('loss-busy');
    const calls = Array.from({ length: 6 }, (_, i) =>
      inTransaction(database.db, async (trx) => {
        await sql`SELECT pg_sleep(30), ${i}::int`.execute(trx);
      }).catch((error: unknown) => error),
    );
    let settled = false;
    const all = Promise.all(calls).finally(() => (settled = true));
    // Two run at a time (max 2): keep cutting whatever connects next until every call has its answer.
    const deadline = Date.now() + 20_000;
    while (!settled && Date.now() < deadline) {
      await terminate('loss-busy');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const errors = await all;
    for (const error of errors) expect(error).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', retryable: true });
    expect(
      await database.db
        .selectFrom('numbers')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .executeTakeFirst(),
    ).toEqual({ n: '25' });
  });
});
