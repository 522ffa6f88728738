import { AppError } from '@mcpfed/errors';
import { createTestDatabase, type TestDatabase } from '@mcpfed/testing';
import { sql } from 'kysely';
import type { ColumnType, Generated, Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClaimedOperationStore } from '../src/claimed-operation-store.ts';
import type { ClaimedOperationFailure } from '../src/claimed-operation-store.ts';
import { failureOf, replayFinished } from '../src/replay-finished.ts';

type Stamp = ColumnType<Date, Date | string | undefined, Date | string>;

interface OpsDb {
  test_operations: {
    id: Generated<string>;
    principal_id: string;
    tool: 'a_do' | 'a_undo';
    idempotency_key: string;
    request_hash: string;
    status: ColumnType<'pending' | 'succeeded' | 'failed', 'pending' | undefined, 'succeeded' | 'failed'>;
    response: ColumnType<Record<string, unknown> | null, string | null | undefined, string | null>;
    error: ColumnType<ClaimedOperationFailure | null, string | null | undefined, string | null>;
    lease_expires_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
    attempts: ColumnType<number, number | undefined, number>;
    created_at: Stamp;
    updated_at: Stamp;
    completed_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  };
}

const migrations: Record<string, Migration> = {
  '0001_test_operations': {
    async up(db: Kysely<unknown>) {
      await sql`
        CREATE TABLE test_operations (
          id uuid PRIMARY KEY DEFAULT gen_random_uuid(), principal_id text NOT NULL, tool text NOT NULL,
          idempotency_key text NOT NULL, request_hash text NOT NULL, status text NOT NULL DEFAULT 'pending',
          response jsonb, error jsonb, lease_expires_at timestamptz, attempts integer NOT NULL DEFAULT 1,
          created_at timestamptz NOT NULL DEFAULT now(), updated_at timestamptz NOT NULL DEFAULT now(), completed_at timestamptz,
          UNIQUE (principal_id, tool, idempotency_key)
        )`.execute(db);
    },
  },
};

const signal = new AbortController().signal;
let testDb: TestDatabase<OpsDb>;

const byUpdate = (db: Kysely<OpsDb>) => new ClaimedOperationStore(db, signal, { table: 'test_operations', scope: 'tool', unattendedBy: 'updated_at' });
const byCreation = (db: Kysely<OpsDb>) => new ClaimedOperationStore(db, signal, { table: 'test_operations', scope: 'tool', unattendedBy: 'created_at' });

async function insert(key: string, values: { tool?: 'a_do' | 'a_undo'; lease?: 'held' | 'expired' | 'none' } = {}) {
  const lease = values.lease ?? 'held';
  return testDb.db
    .insertInto('test_operations')
    .values({
      principal_id: 'p1',
      tool: values.tool ?? 'a_do',
      idempotency_key: key,
      request_hash: 'h',
      lease_expires_at: lease === 'none' ? null : sql<Date>`now() + ${lease === 'held' ? '1 minute' : '-1 second'}::interval`,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

beforeAll(async () => {
  testDb = await createTestDatabase<OpsDb>({ name: 'claimedops', migrations });
});

afterAll(async () => {
  await testDb?.drop();
});

describe('ClaimedOperationStore', () => {
  it('finds an operation by principal, scope and key only', async () => {
    const doing = await insert('k-find', { tool: 'a_do' });
    const undoing = await insert('k-find', { tool: 'a_undo' });
    const store = byUpdate(testDb.db);
    expect((await store.find('p1', 'a_do', 'k-find'))?.id).toBe(doing.id);
    expect((await store.find('p1', 'a_undo', 'k-find'))?.id).toBe(undoing.id);
    expect(await store.find('p2', 'a_do', 'k-find')).toBeUndefined();
    expect((await store.byId(doing.id))?.tool).toBe('a_do');
    expect((await store.lock(undoing.id))?.tool).toBe('a_undo');
  });

  it('compiles the same SQL as a query written for the table', async () => {
    const queries: string[] = [];
    const logged = testDb.db.withPlugin({
      transformQuery: ({ node, queryId }) => {
        queries.push(testDb.db.getExecutor().compileQuery(node, queryId).sql);
        return node;
      },
      transformResult: async ({ result }) => result,
    });
    await byUpdate(logged).find('p1', 'a_do', 'k');
    await byCreation(logged).unattended(1000, 5);
    expect(queries).toEqual([
      testDb.db
        .selectFrom('test_operations')
        .selectAll()
        .where('principal_id', '=', 'p1')
        .where('tool', '=', 'a_do')
        .where('idempotency_key', '=', 'k')
        .compile().sql,
      testDb.db
        .selectFrom('test_operations')
        .selectAll()
        .where('status', '=', 'pending')
        .where('created_at', '<=', sql<Date>`now() - make_interval(secs => ${1})`)
        .where((eb) => eb.or([eb('lease_expires_at', 'is', null), eb('lease_expires_at', '<=', sql<Date>`now()`)]))
        .orderBy('created_at')
        .limit(5)
        .compile().sql,
    ]);
  });

  it('gives the lease of a pending operation to one taker at a time', async () => {
    const op = await insert('k-lease', { lease: 'held' });
    const store = byUpdate(testDb.db);
    expect(await store.takeLease(op.id, 60_000)).toBeUndefined();
    await store.releaseLease(op.id);
    const [first, second] = await Promise.all([store.takeLease(op.id, 60_000), store.takeLease(op.id, 60_000)]);
    const taken = [first, second].filter((row) => row !== undefined);
    expect(taken).toHaveLength(1);
    expect(taken[0]?.attempts).toBe(2);
    expect(taken[0]?.lease_expires_at?.getTime()).toBeGreaterThan(Date.now() + 50_000);
    const expired = await insert('k-expired', { lease: 'expired' });
    expect((await store.takeLease(expired.id, 60_000))?.attempts).toBe(2);
  });

  it('stores the outcome a retry replays, and leaves finished operations alone', async () => {
    const store = byUpdate(testDb.db);
    const won = await insert('k-won');
    await store.succeed(won.id, { order_id: 'o1', amount: 5 });
    const succeeded = await store.byId(won.id);
    expect(succeeded).toMatchObject({ status: 'succeeded', response: { order_id: 'o1', amount: 5 }, lease_expires_at: null });
    expect(succeeded?.completed_at).toBeInstanceOf(Date);
    expect(replayFinished(succeeded!)).toEqual({ order_id: 'o1', amount: 5, replayed: true });
    expect(await store.takeLease(won.id, 60_000)).toBeUndefined();

    const lost = await insert('k-lost');
    const refusal = new AppError('PRECONDITION_FAILED', 'not now', { details: { reason: 'closed' } });
    await store.fail(lost.id, failureOf(refusal));
    const failed = await store.byId(lost.id);
    expect(failed).toMatchObject({
      status: 'failed',
      error: { code: 'PRECONDITION_FAILED', message: 'not now', details: { reason: 'closed' } },
      lease_expires_at: null,
    });
    let replayed: unknown;
    try {
      replayFinished(failed!);
    } catch (error) {
      replayed = error;
    }
    expect(AppError.is(replayed)).toBe(true);
    expect(replayed).toMatchObject({ code: 'PRECONDITION_FAILED', message: 'not now', retryable: false, details: { reason: 'closed', replayed: true } });

    await store.releaseLease(lost.id);
    expect((await store.byId(lost.id))?.updated_at.getTime()).toBe(failed?.updated_at.getTime());
    expect(replayFinished(await insert('k-pending'))).toBeUndefined();
  });

  it('lists the unattended operations by the time the table names', async () => {
    await sql`DELETE FROM test_operations`.execute(testDb.db);
    const claimedLongAgo = await insert('k-old-claim', { lease: 'none' });
    const untouchedLately = await insert('k-untouched', { lease: 'expired' });
    await insert('k-held', { lease: 'held' });
    await sql`UPDATE test_operations SET created_at = now() - interval '10 minutes' WHERE id = ${claimedLongAgo.id}`.execute(testDb.db);
    await sql`UPDATE test_operations SET created_at = now() - interval '5 minutes', updated_at = now() - interval '5 minutes' WHERE id = ${untouchedLately.id}`.execute(
      testDb.db,
    );
    const finished = await insert('k-finished', { lease: 'none' });
    await byUpdate(testDb.db).succeed(finished.id, {});
    await sql`UPDATE test_operations SET created_at = now() - interval '1 hour', updated_at = now() - interval '1 hour' WHERE id = ${finished.id}`.execute(
      testDb.db,
    );

    expect((await byUpdate(testDb.db).unattended(60_000, 10)).map((op) => op.idempotency_key)).toEqual(['k-untouched']);
    expect((await byCreation(testDb.db).unattended(60_000, 10)).map((op) => op.idempotency_key)).toEqual(['k-old-claim', 'k-untouched']);
    expect((await byCreation(testDb.db).unattended(60_000, 1)).map((op) => op.idempotency_key)).toEqual(['k-old-claim']);
  });
});
