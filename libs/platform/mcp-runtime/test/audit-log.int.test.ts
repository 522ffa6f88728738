import { setTimeout as sleep } from 'node:timers/promises';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectLinkedClient, createTestDatabase, freePort, testPrincipal } from '@mcpfed/testing';
import type { TestDatabase } from '@mcpfed/testing';
import { createLogger } from '@mcpfed/telemetry';
import { AuditLog } from '../src/index.ts';
import type { AuditRecord } from '../src/index.ts';
import { widgetMigrations, widgetShipRuns } from './fixtures/widget-domain.ts';
import type { WidgetDb } from './fixtures/widget-domain.ts';
import { createWidgetHost } from './fixtures/widget-host.ts';

let tdb: TestDatabase<WidgetDb>;

beforeAll(async () => {
  tdb = await createTestDatabase<WidgetDb>({ name: 'mcp_runtime_audit', migrations: widgetMigrations });
});

afterAll(async () => {
  await tdb?.drop();
});

interface AuditRow {
  id: string;
  tool: string;
  outcome: string;
  replayed: boolean;
  principal_id: string;
  args: unknown;
}

async function auditRows(principal: string): Promise<AuditRow[]> {
  const { rows } =
    await sql<AuditRow>`SELECT id, tool, outcome, replayed, principal_id, args FROM mcp_audit_log WHERE principal_id = ${principal} ORDER BY id`.execute(
      tdb.db,
    );
  return rows;
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

function record(principalId: string, args: unknown): AuditRecord {
  return {
    at: new Date(),
    requestId: 'req',
    traceId: undefined,
    principalId,
    actors: [],
    tool: 'widget_get',
    outcome: 'ok',
    durationMs: 1,
    argsDigest: 'd',
    args,
    replayed: false,
    dryRun: false,
  };
}

describe('write-ahead audit of writes that manage their own transactions', () => {
  it('writes the record as started before the handler runs, then completes that same record', async () => {
    const { host } = createWidgetHost(tdb.db, { auditFlushIntervalMs: 3_600_000 });
    const linked = await connectLinkedClient(host, testPrincipal(['customer:write'], 'wal-1'));
    try {
      const call = linked.client.callTool({ name: 'widget_ship', arguments: { id: 'w1', carrier: 'UPS', wait_ms: 400, idempotency_key: 'key-wal-0001' } });
      const started = await until('the started record', async () => (await auditRows('wal-1'))[0]);
      expect(started).toMatchObject({ tool: 'widget_ship', outcome: 'started' });
      expect(await tdb.db.selectFrom('shipments').selectAll().where('key', '=', 'key-wal-0001').execute()).toEqual([]);
      expect((await call).isError).toBeFalsy();
      expect(await auditRows('wal-1')).toEqual([{ ...started, outcome: 'ok' }]);
      const replay = await linked.client.callTool({
        name: 'widget_ship',
        arguments: { id: 'w1', carrier: 'UPS', wait_ms: 400, idempotency_key: 'key-wal-0001' },
      });
      expect(replay.structuredContent).toMatchObject({ replayed: true });
      expect((await auditRows('wal-1')).map((r) => [r.outcome, r.replayed])).toEqual([
        ['ok', false],
        ['ok', true],
      ]);
    } finally {
      await linked.close();
      await host.close();
    }
  });

  it('records the failure on the same record when the handler fails', async () => {
    const { host } = createWidgetHost(tdb.db, { auditFlushIntervalMs: 3_600_000 });
    const linked = await connectLinkedClient(host, testPrincipal(['customer:write'], 'wal-2'));
    try {
      const controller = new AbortController();
      const call = linked.client.callTool(
        { name: 'widget_ship', arguments: { id: 'w1', carrier: 'UPS', wait_ms: 5000, idempotency_key: 'key-wal-0002' } },
        undefined,
        { signal: controller.signal },
      );
      await until('the started record', async () => (await auditRows('wal-2'))[0]);
      controller.abort();
      await expect(call).rejects.toThrow();
      const finished = await until('the outcome', async () => (await auditRows('wal-2')).find((r) => r.outcome !== 'started'));
      expect(finished.outcome).toBe('TIMEOUT');
      expect(await auditRows('wal-2')).toHaveLength(1);
    } finally {
      await linked.close();
      await host.close();
    }
  });

  it('does not run the write when its record cannot be written (database unreachable)', async () => {
    const closedPort = await freePort();
    const unreachable = new Kysely<WidgetDb>({
      dialect: new PostgresDialect({
        pool: new pg.Pool({ connectionString: `postgres://postgres@127.0.0.1:${closedPort}/none`, connectionTimeoutMillis: 1000 }),
      }),
    });
    const { host } = createWidgetHost(unreachable);
    const linked = await connectLinkedClient(host, testPrincipal(['customer:write'], 'wal-3'));
    try {
      const runs = widgetShipRuns.count;
      const result = await linked.client.callTool({ name: 'widget_ship', arguments: { id: 'w1', carrier: 'UPS', idempotency_key: 'key-wal-0003' } });
      expect(result).toMatchObject({ isError: true, structuredContent: { error: { code: 'UPSTREAM_UNAVAILABLE', retryable: true } } });
      expect((result.structuredContent as { error: { message: string } }).error.message).toMatch(/not run: its audit record could not be written/);
      expect(widgetShipRuns.count).toBe(runs);
    } finally {
      await linked.close();
      await host.close().catch(() => undefined);
      await unreachable.destroy();
    }
  });
});

describe('audit buffer', () => {
  it('stores the rest of a batch around a record PostgreSQL refuses, and keeps auditing afterwards', async () => {
    const audit = new AuditLog({ db: tdb.db, logger: createLogger({ name: 'audit-test', level: 'silent' }), flushIntervalMs: 3_600_000 });
    try {
      // Past the redaction a record could still carry what jsonb refuses (a NUL escape): it must not poison others.
      audit.buffer(record('buf-1', { n: 1 }));
      audit.buffer(record('buf-1', { bad: 'a\u0000b' }));
      audit.buffer(record('buf-1', { bad: '\uD800' }));
      audit.buffer(record('buf-1', { n: 4 }));
      await audit.flush();
      expect((await auditRows('buf-1')).map((r) => r.args)).toEqual([
        { n: 1 },
        { '[audit]': 'arguments not storable; left out' },
        { '[audit]': 'arguments not storable; left out' },
        { n: 4 },
      ]);
      audit.buffer(record('buf-1', { n: 5 }));
      await audit.flush();
      expect(await auditRows('buf-1')).toHaveLength(5);
    } finally {
      await audit.close();
    }
  });

  it('stores the actor chain of each record as an array, most recent actor first, and NULL for none', async () => {
    const audit = new AuditLog({ db: tdb.db, logger: createLogger({ name: 'audit-test', level: 'silent' }), flushIntervalMs: 3_600_000 });
    try {
      audit.buffer({ ...record('act-1', { n: 1 }), actors: ['order-server', 'router'] });
      audit.buffer(record('act-1', { n: 2 }));
      audit.buffer({ ...record('act-1', { n: 3 }), actors: ['we"ird,{svc}\\'] });
      await audit.flush();
      const { rows } = await sql<{
        actors: string[] | null;
        acting_for: string | null;
      }>`SELECT actors, acting_for FROM mcp_audit_log WHERE principal_id = 'act-1' ORDER BY id`.execute(tdb.db);
      expect(rows).toEqual([
        { actors: ['order-server', 'router'], acting_for: null },
        { actors: null, acting_for: null },
        { actors: ['we"ird,{svc}\\'], acting_for: null },
      ]);
    } finally {
      await audit.close();
    }
  });

  it('deletes records past the retention in small batches and keeps the rest', async () => {
    const audit = new AuditLog({
      db: tdb.db,
      logger: createLogger({ name: 'audit-test', level: 'silent' }),
      retentionDays: 30,
      purgeBatchSize: 7,
      flushIntervalMs: 3_600_000,
    });
    try {
      await sql`INSERT INTO mcp_audit_log (at, request_id, principal_id, tool, outcome, duration_ms, args_digest, args)
        SELECT now() - make_interval(days => 31 + g), 'r', 'ret-1', 'widget_get', 'ok', 1, 'd', '{}'::jsonb FROM generate_series(1, 25) g`.execute(tdb.db);
      await sql`INSERT INTO mcp_audit_log (at, request_id, principal_id, tool, outcome, duration_ms, args_digest, args)
        SELECT now() - make_interval(days => 29), 'r', 'ret-1', 'widget_get', 'started', 1, 'd', '{}'::jsonb FROM generate_series(1, 3)`.execute(tdb.db);
      expect(await audit.purgeExpired()).toBe(25);
      expect(await auditRows('ret-1')).toHaveLength(3);
      expect(await audit.purgeExpired()).toBe(0);
    } finally {
      await audit.close();
    }
  });

  it('purges on its own timer', async () => {
    await sql`INSERT INTO mcp_audit_log (at, request_id, principal_id, tool, outcome, duration_ms, args_digest, args)
      VALUES (now() - interval '400 days', 'r', 'ret-2', 'widget_get', 'ok', 1, 'd', '{}'::jsonb)`.execute(tdb.db);
    const { host } = createWidgetHost(tdb.db, { auditPurgeIntervalMs: 50 });
    try {
      await until('the purge', async () => ((await auditRows('ret-2')).length === 0 ? true : undefined));
    } finally {
      await host.close();
    }
  });
});
