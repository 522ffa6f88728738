import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { connectLinkedClient, createTestDatabase, testPrincipal } from '@mcpfed/testing';
import type { TestDatabase } from '@mcpfed/testing';
import type { McpHost } from '../src/index.ts';
import { widgetMigrations } from './fixtures/widget-domain.ts';
import type { WidgetDb } from './fixtures/widget-domain.ts';
import { createWidgetHost } from './fixtures/widget-host.ts';

let tdb: TestDatabase<WidgetDb>;
let host: McpHost<WidgetDb>;
let metricsText: () => Promise<string>;
let reader: Client;
let writer: Client;
const closers: Array<() => Promise<void>> = [];

async function connect(scopes: string[], subject = 'alice'): Promise<Client> {
  const linked = await connectLinkedClient(host, testPrincipal(scopes, subject));
  closers.push(linked.close);
  return linked.client;
}

function errorOf(result: unknown) {
  const r = result as {
    isError?: boolean;
    structuredContent?: { error?: { code: string; message: string; retryable: boolean; details?: Record<string, unknown>; request_id?: string } };
  };
  expect(r.isError).toBe(true);
  return r.structuredContent?.error as NonNullable<NonNullable<typeof r.structuredContent>['error']>;
}

async function widgetRows() {
  return tdb.db.selectFrom('widgets').selectAll().orderBy('id').execute();
}

beforeAll(async () => {
  tdb = await createTestDatabase<WidgetDb>({ name: 'mcp_runtime', migrations: widgetMigrations });
  const created = createWidgetHost(tdb.db);
  host = created.host;
  metricsText = async () => (await created.metrics.render()).body;
  reader = await connect(['customer:read']);
  writer = await connect(['customer:read', 'customer:write']);
});

afterAll(async () => {
  for (const close of closers) await close();
  await host?.close();
  await tdb?.drop();
});

beforeEach(async () => {
  await sql`TRUNCATE widgets, shipments, mcp_idempotency_keys`.execute(tdb.db);
});

describe('tools/list', () => {
  it('shows each caller only the tools its scopes allow, with JSON schemas and all four annotations', async () => {
    const readerTools = (await reader.listTools()).tools.map((t) => t.name).sort();
    expect(readerTools).toEqual(['widget_crash', 'widget_get', 'widget_hang', 'widget_slow']);
    const all = (await writer.listTools()).tools;
    expect(all.map((t) => t.name).sort()).toEqual([
      'widget_crash',
      'widget_create',
      'widget_get',
      'widget_hang',
      'widget_rename',
      'widget_ship',
      'widget_slow',
    ]);
    const create = all.find((t) => t.name === 'widget_create');
    expect(create?.inputSchema).toMatchObject({ type: 'object', required: ['name'], additionalProperties: false });
    expect(create?.outputSchema).toMatchObject({ type: 'object' });
    expect(create?.annotations).toEqual({ readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false });
  });
});

describe('tools/call', () => {
  it('answers a renamed tool by its former name, unlisted, with the same checks and audit', async () => {
    await writer.callTool({ name: 'widget_create', arguments: { name: 'cog' } });
    expect((await reader.listTools()).tools.map((t) => t.name)).not.toContain('widget_fetch');
    const listed = (await reader.listTools()).tools.find((t) => t.name === 'widget_get');
    expect(listed?._meta?.['io.mcpfed/aliases']).toEqual(['widget_fetch']);
    const byOld = await reader.callTool({ name: 'widget_fetch', arguments: { id: 'wid_cog' } });
    expect(byOld.structuredContent).toEqual((await reader.callTool({ name: 'widget_get', arguments: { id: 'wid_cog' } })).structuredContent);
    const stranger = await connect([], 'mallory');
    expect(errorOf(await stranger.callTool({ name: 'widget_fetch', arguments: { id: 'wid_cog' } })).code).toBe('FORBIDDEN');
    // One tool under either name: audited (and so keyed for idempotency and rate limits) by its current name.
    const renamed = await connect(['customer:read'], 'renamed-caller');
    await renamed.callTool({ name: 'widget_fetch', arguments: { id: 'wid_cog' } });
    // Read audits are written in batches: wait for the row.
    const deadline = Date.now() + 10_000;
    let rows: Array<{ tool: string }> = [];
    while (rows.length === 0 && Date.now() < deadline) {
      ({ rows } = await sql<{ tool: string }>`SELECT tool FROM mcp_audit_log WHERE principal_id = 'renamed-caller'`.execute(tdb.db));
      if (rows.length === 0) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(rows).toEqual([{ tool: 'widget_get' }]);
  });

  it('returns structured content, the same JSON as text, and resource links', async () => {
    await writer.callTool({ name: 'widget_create', arguments: { name: 'gear' } });
    const result = await reader.callTool({ name: 'widget_get', arguments: { id: 'wid_gear' } });
    expect(result.isError).toBeFalsy();
    expect(result.structuredContent).toEqual({ widget: { id: 'wid_gear', name: 'gear', version: 1 } });
    expect(result.content).toEqual([
      { type: 'text', text: JSON.stringify({ widget: { id: 'wid_gear', name: 'gear', version: 1 } }) },
      { type: 'resource_link', uri: 'widget://wid_gear', name: 'gear' },
    ]);
  });

  it('refuses invalid input with VALIDATION_FAILED naming the fields, and writes nothing', async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ name: 42 }, 'name'],
      [{}, 'name'],
      [{ name: 'ok', colour: 'red' }, '(root)'],
      [{ name: 'x'.repeat(1024 * 1024 + 1) }, 'name'],
      [{ name: 'ok', idempotency_key: 'bad key with spaces' }, 'idempotency_key'],
    ];
    for (const [args, path] of cases) {
      const error = errorOf(await writer.callTool({ name: 'widget_create', arguments: args }));
      expect(error.code).toBe('VALIDATION_FAILED');
      expect(error.retryable).toBe(false);
      expect((error.details?.['issues'] as Array<{ path: string }>).map((i) => i.path)).toContain(path);
    }
    expect(await widgetRows()).toEqual([]);
  });

  it('refuses text PostgreSQL cannot store and 10,000-level values with VALIDATION_FAILED naming the field, audited, before the handler', async () => {
    let deep: unknown = 'leaf';
    for (let i = 0; i < 10_000; i++) deep = { d: deep };
    const prober = await connect(['customer:read', 'customer:write'], 'edge-prober');
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ name: 'a\u0000b' }, 'name'],
      [{ name: '\uD800' }, 'name'],
      [{ name: deep }, `name${'.d'.repeat(31)}`],
      [{ name: 'ok', idempotency_key: 'x'.repeat(70_000) }, 'idempotency_key'],
    ];
    for (const [args, path] of cases) {
      const error = errorOf(await prober.callTool({ name: 'widget_create', arguments: args }));
      expect(error).toMatchObject({ code: 'VALIDATION_FAILED', details: { issues: [{ path }] } });
    }
    expect(await widgetRows()).toEqual([]);
    await host.flushAudit();
    const { rows } = await sql<{ outcome: string }>`SELECT outcome FROM mcp_audit_log WHERE principal_id = 'edge-prober'`.execute(tdb.db);
    expect(rows.map((r) => r.outcome)).toEqual(Array(cases.length).fill('VALIDATION_FAILED'));
  });

  it('answers an unknown tool with a JSON-RPC invalid-params error', async () => {
    await expect(reader.callTool({ name: 'widget_explode', arguments: {} })).rejects.toMatchObject({ code: -32602 });
  });

  it('refuses a caller without the scope with FORBIDDEN and writes nothing', async () => {
    const error = errorOf(await reader.callTool({ name: 'widget_create', arguments: { name: 'sneaky' } }));
    expect(error).toMatchObject({ code: 'FORBIDDEN', retryable: false, details: { missing: ['customer:write'] } });
    expect(await widgetRows()).toEqual([]);
  });

  it('maps a unique violation to CONFLICT', async () => {
    await writer.callTool({ name: 'widget_create', arguments: { name: 'dup' } });
    const error = errorOf(await writer.callTool({ name: 'widget_create', arguments: { name: 'dup' } }));
    expect(error.code).toBe('CONFLICT');
  });

  it('reports NOT_FOUND from the handler', async () => {
    const error = errorOf(await reader.callTool({ name: 'widget_get', arguments: { id: 'wid_none' } }));
    expect(error).toEqual({ code: 'NOT_FOUND', message: 'No widget wid_none.', retryable: false, details: { id: 'wid_none' } });
  });

  it('hides unexpected failures behind INTERNAL with a request id', async () => {
    for (const kind of ['throw', 'sql', 'bad_output']) {
      const error = errorOf(await reader.callTool({ name: 'widget_crash', arguments: { kind } }));
      expect(error.code).toBe('INTERNAL');
      expect(error.request_id).toMatch(/\S+/);
      expect(error.message).not.toMatch(/ECONNREFUSED|hunter2|db\.internal|no_such_table|contract/);
    }
  });

  it('stops a call at its deadline with TIMEOUT', async () => {
    const started = Date.now();
    const error = errorOf(await reader.callTool({ name: 'widget_hang', arguments: {} }));
    expect(error).toMatchObject({ code: 'TIMEOUT', retryable: true, details: { deadline_ms: 200 } });
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('relays progress notifications when the client asks for them', async () => {
    const seen: number[] = [];
    const result = await reader.callTool({ name: 'widget_slow', arguments: { ms: 60 } }, undefined, {
      onprogress: (p) => seen.push(p.progress),
    });
    expect(result.isError).toBeFalsy();
    expect(seen).toEqual([0, 20, 40]);
  });
});

describe('idempotency', () => {
  it('replays the original result for the same key and arguments, once in the database', async () => {
    const args = { name: 'once', idempotency_key: 'key-0001-once' };
    const first = await writer.callTool({ name: 'widget_create', arguments: args });
    const second = await writer.callTool({ name: 'widget_create', arguments: args });
    expect(first.structuredContent).toEqual({ widget: { id: 'wid_once', name: 'once', version: 1 }, replayed: false });
    expect(second.structuredContent).toEqual({ widget: { id: 'wid_once', name: 'once', version: 1 }, replayed: true });
    expect(await widgetRows()).toHaveLength(1);
  });

  it('refuses the same key with other arguments with IDEMPOTENCY_KEY_REUSED', async () => {
    await writer.callTool({ name: 'widget_create', arguments: { name: 'first', idempotency_key: 'key-0002-reuse' } });
    const error = errorOf(await writer.callTool({ name: 'widget_create', arguments: { name: 'second', idempotency_key: 'key-0002-reuse' } }));
    expect(error.code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect((await widgetRows()).map((r) => r.name)).toEqual(['first']);
  });

  it('keeps keys per principal', async () => {
    const bob = await connect(['customer:read', 'customer:write'], 'bob');
    await writer.callTool({ name: 'widget_create', arguments: { name: 'alice1', idempotency_key: 'key-0003-shared' } });
    const other = await bob.callTool({ name: 'widget_create', arguments: { name: 'bob1', idempotency_key: 'key-0003-shared' } });
    expect(other.structuredContent).toMatchObject({ widget: { name: 'bob1' }, replayed: false });
  });

  it('creates exactly one row for 20 concurrent calls with one key', async () => {
    const args = { name: 'race', idempotency_key: 'key-0004-race' };
    const results = await Promise.all(Array.from({ length: 20 }, () => writer.callTool({ name: 'widget_create', arguments: args })));
    expect(results.every((r) => !r.isError)).toBe(true);
    expect(results.filter((r) => (r.structuredContent as { replayed: boolean }).replayed === false)).toHaveLength(1);
    expect(await widgetRows()).toHaveLength(1);
  });

  it('does not store a key when the write failed, so a corrected retry can use it', async () => {
    await writer.callTool({ name: 'widget_create', arguments: { name: 'taken' } });
    const failed = errorOf(await writer.callTool({ name: 'widget_create', arguments: { name: 'taken', idempotency_key: 'key-0005-fail' } }));
    expect(failed.code).toBe('CONFLICT');
    const { rows } = await sql`SELECT key FROM mcp_idempotency_keys`.execute(tdb.db);
    expect(rows).toEqual([]);
  });
});

describe('versions and dry runs', () => {
  it('rolls back a dry run and reports what would happen', async () => {
    await writer.callTool({ name: 'widget_create', arguments: { name: 'old' } });
    const dry = await writer.callTool({ name: 'widget_rename', arguments: { id: 'wid_old', name: 'new', expected_version: 1, dry_run: true } });
    expect(dry.structuredContent).toEqual({ widget: { id: 'wid_old', name: 'new', version: 2 }, dry_run: true });
    expect(await widgetRows()).toEqual([{ id: 'wid_old', name: 'old', version: 1 }]);
  });

  it('refuses a stale expected_version with CONFLICT and the current version', async () => {
    await writer.callTool({ name: 'widget_create', arguments: { name: 'v' } });
    await writer.callTool({ name: 'widget_rename', arguments: { id: 'wid_v', name: 'v2', expected_version: 1 } });
    const error = errorOf(await writer.callTool({ name: 'widget_rename', arguments: { id: 'wid_v', name: 'v3', expected_version: 1 } }));
    expect(error).toMatchObject({ code: 'CONFLICT', details: { current_version: 2 } });
    expect(await widgetRows()).toEqual([{ id: 'wid_v', name: 'v2', version: 2 }]);
  });
});

describe('resources and prompts', () => {
  it('reads a resource by template and lists templates', async () => {
    await writer.callTool({ name: 'widget_create', arguments: { name: 'res' } });
    const read = await reader.readResource({ uri: 'widget://wid_res' });
    expect(read.contents).toEqual([
      { uri: 'widget://wid_res', mimeType: 'application/json', text: JSON.stringify({ id: 'wid_res', name: 'res', version: 1 }) },
    ]);
    const templates = await reader.listResourceTemplates();
    expect(templates.resourceTemplates.map((t) => t.uriTemplate)).toEqual(['widget://{id}']);
  });

  it('answers an unknown resource with -32002', async () => {
    await expect(reader.readResource({ uri: 'widget://wid_missing' })).rejects.toMatchObject({ code: -32002 });
    await expect(reader.readResource({ uri: 'gadget://1' })).rejects.toMatchObject({ code: -32002 });
  });

  it('builds a prompt preloaded with data and validates its arguments', async () => {
    await writer.callTool({ name: 'widget_create', arguments: { name: 'pr' } });
    const prompt = await reader.getPrompt({ name: 'widget_brief', arguments: { widget_id: 'wid_pr' } });
    expect(prompt.messages).toEqual([{ role: 'user', content: { type: 'text', text: 'Summarise widget pr (version 1).' } }]);
    const listed = await reader.listPrompts();
    expect(listed.prompts).toEqual([
      {
        name: 'widget_brief',
        title: 'Widget brief',
        description: 'A prompt preloaded with one widget.',
        arguments: [{ name: 'widget_id', description: 'The widget id', required: true }],
        _meta: { 'io.mcpfed/scopes': ['customer:read'], 'io.mcpfed/deadline_ms': 5000 },
      },
    ]);
    await expect(reader.getPrompt({ name: 'widget_brief', arguments: {} })).rejects.toMatchObject({ code: -32602 });
  });
});

describe('audit and metrics', () => {
  it('audits every call: a write before it answers, reads and failures buffered', async () => {
    // A host whose buffer is never flushed on its own: a write's record must be in the table when its call
    // returns, without help from the buffer (this test fails if a write's record is only buffered).
    const { host: unflushed } = createWidgetHost(tdb.db, { auditFlushIntervalMs: 3_600_000 });
    const linked = await connectLinkedClient(unflushed, testPrincipal(['customer:read', 'customer:write'], 'carol'));
    const denied = await connectLinkedClient(unflushed, testPrincipal(['customer:read'], 'carol'));
    try {
      const rowsOf = async () =>
        (
          await sql<{ tool: string; outcome: string; replayed: boolean; args: Record<string, unknown> }>`
            SELECT tool, outcome, replayed, args FROM mcp_audit_log WHERE principal_id = 'carol' ORDER BY id`.execute(tdb.db)
        ).rows.map((r) => [r.tool, r.outcome, r.replayed]);
      await linked.client.callTool({ name: 'widget_create', arguments: { name: 'aud', idempotency_key: 'key-0006-audit' } });
      expect(await rowsOf()).toEqual([['widget_create', 'ok', false]]);
      // A write that manages its own transactions (a money movement): durable before the answer too.
      await linked.client.callTool({ name: 'widget_ship', arguments: { id: 'wid_aud', carrier: 'DHL', idempotency_key: 'key-0006-ship' } });
      expect(await rowsOf()).toEqual([
        ['widget_create', 'ok', false],
        ['widget_ship', 'ok', false],
      ]);
      // A replay changes nothing: buffered like a read.
      await linked.client.callTool({ name: 'widget_create', arguments: { name: 'aud', idempotency_key: 'key-0006-audit' } });
      await linked.client.callTool({ name: 'widget_get', arguments: { id: 'wid_aud' } });
      await denied.client.callTool({ name: 'widget_create', arguments: { name: 'nope', idempotency_key: 'key-0006-deny' } });
      expect(await rowsOf()).toHaveLength(2);
      await unflushed.flushAudit();
      expect((await rowsOf()).slice(2)).toEqual([
        ['widget_create', 'ok', true],
        ['widget_get', 'ok', false],
        ['widget_create', 'FORBIDDEN', false],
      ]);
    } finally {
      await linked.close();
      await denied.close();
      await unflushed.close();
    }
  });

  it('counts calls and errors per tool with low-cardinality labels', async () => {
    await reader.callTool({ name: 'widget_get', arguments: { id: 'wid_nothing' } });
    const text = await metricsText();
    expect(text).toMatch(/mcp_tool_errors_total\{[^}]*tool="widget_get"[^}]*code="NOT_FOUND"[^}]*\} [1-9]/);
    expect(text).toMatch(/mcp_tool_calls_total\{[^}]*tool="widget_get"[^}]*outcome="error"[^}]*\} [1-9]/);
  });
});

describe('idempotency record retention', () => {
  it('purges expired records and the responses mentioning an erased entity', async () => {
    const { IdempotencyStore, purgeIdempotencyRecordsMentioning } = await import('../src/index.ts');
    await writer.callTool({ name: 'widget_create', arguments: { name: 'keep', idempotency_key: 'key-0007-keep' } });
    await writer.callTool({ name: 'widget_create', arguments: { name: 'erase', idempotency_key: 'key-0008-erase' } });
    await writer.callTool({ name: 'widget_create', arguments: { name: 'old', idempotency_key: 'key-0009-old' } });
    await sql`UPDATE mcp_idempotency_keys SET created_at = now() - interval '2 days' WHERE key = 'key-0009-old'`.execute(tdb.db);
    expect(await new IdempotencyStore().purgeExpired(tdb.db, 24 * 3600 * 1000)).toBe(1);
    expect(await purgeIdempotencyRecordsMentioning(tdb.db, 'wid_erase')).toBe(1);
    const { rows } = await sql<{ key: string }>`SELECT key FROM mcp_idempotency_keys ORDER BY key`.execute(tdb.db);
    expect(rows.map((r) => r.key)).toEqual(['key-0007-keep']);
  });
});
