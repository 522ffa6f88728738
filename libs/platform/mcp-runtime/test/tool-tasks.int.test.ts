/**
 * The task path of the runtime per revision: how a tool error on a task-augmented call comes back, and that a refused
 * tasks/cancel leaves an audit row. The task's state is the widget row the call created (the domain's own rows).
 */
import { sql } from 'kysely';
import { z } from 'zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineTool } from '@mcpfed/contract-common';
import { AppError } from '@mcpfed/errors';
import { connectLinkedClient, createTestDatabase, testPrincipal } from '@mcpfed/testing';
import type { LinkedClient, TestDatabase } from '@mcpfed/testing';
import { toolBinder } from '../src/index.ts';
import type { McpHost } from '../src/index.ts';
import { widgetMigrations, widgetTools } from './fixtures/widget-domain.ts';
import type { WidgetDb } from './fixtures/widget-domain.ts';
import { createWidgetHost } from './fixtures/widget-host.ts';

const widgetBuild = defineTool({
  name: 'widget_build',
  title: 'Build widget',
  description: 'Builds a widget, as a task when asked; fail: true is refused before anything starts.',
  input: z.strictObject({ name: z.string().min(1).max(100), fail: z.boolean().default(false) }),
  output: z.object({ widget_id: z.string() }),
  scopes: ['customer:write'],
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
  idempotency: 'none',
  taskSupport: 'optional',
});

const bind = toolBinder<WidgetDb>();
const buildBinding = bind(
  widgetBuild,
  async (input, ctx) => {
    if (input.fail) throw new AppError('PRECONDITION_FAILED', 'This widget cannot be built.');
    const row = await ctx.db
      .insertInto('widgets')
      .values({ id: `wid_${input.name}`, name: input.name })
      .returning('id')
      .executeTakeFirstOrThrow();
    return { widget_id: row.id };
  },
  {
    task: {
      handleOf: (output) => output.widget_id,
      get: async (handle, ctx) => {
        const row = await ctx.db.selectFrom('widgets').select('id').where('id', '=', handle).executeTakeFirst();
        return row === undefined ? undefined : { status: 'completed', createdAt: new Date(0), updatedAt: new Date(0) };
      },
      result: async (handle) => ({ widget_id: handle }),
      cancel: async () => {
        throw new AppError('INTERNAL', 'never reached: every widget task is completed');
      },
    },
  },
);

const MODERN_TASKS_META = {
  'io.modelcontextprotocol/protocolVersion': '2026-07-28',
  'io.modelcontextprotocol/clientCapabilities': { extensions: { 'io.modelcontextprotocol/tasks': {} } },
};
const loose = z.looseObject({});

let tdb: TestDatabase<WidgetDb>;
let host: McpHost<WidgetDb>;
let linked: LinkedClient;

beforeAll(async () => {
  tdb = await createTestDatabase<WidgetDb>({ name: 'mcp_runtime_tool_tasks', migrations: widgetMigrations });
  host = createWidgetHost(tdb.db, { tools: [...widgetTools, buildBinding] }).host;
  linked = await connectLinkedClient(host, testPrincipal(['customer:read', 'customer:write'], 'task-caller'));
});

afterAll(async () => {
  await linked?.close();
  await host?.close();
  await tdb?.drop();
});

const call = (args: Record<string, unknown>, params: Record<string, unknown>) =>
  linked.client.request({ method: 'tools/call', params: { name: 'widget_build', arguments: args, ...params } } as never, loose);

describe('tool tasks', () => {
  it('answers a tool error on the task path in each revision’s form: 2026-07-28 the isError result, 2025-11-25 a JSON-RPC error', async () => {
    const modern = (await call({ name: 'refused_modern', fail: true }, { _meta: MODERN_TASKS_META })) as {
      isError?: boolean;
      structuredContent?: { error?: { code?: string } };
    };
    expect(modern.isError).toBe(true);
    expect(modern.structuredContent?.error?.code).toBe('PRECONDITION_FAILED');
    await expect(call({ name: 'refused_legacy', fail: true }, { task: {} })).rejects.toMatchObject({ data: { code: 'PRECONDITION_FAILED' } });
    const started = await call({ name: 'built' }, { _meta: MODERN_TASKS_META });
    expect(started).toMatchObject({ resultType: 'task', taskId: 'widget_build:wid_built', status: 'completed' });
    expect(await tdb.db.selectFrom('widgets').select('id').where('name', 'in', ['refused_modern', 'refused_legacy', 'built']).execute()).toEqual([
      { id: 'wid_built' },
    ]);
  });

  it('audits a refused tasks/cancel: an unknown task as NOT_FOUND, a terminal one as PRECONDITION_FAILED', async () => {
    const cancel = (taskId: string) => linked.client.request({ method: 'tasks/cancel', params: { taskId } } as never, loose);
    await call({ name: 'done' }, { _meta: MODERN_TASKS_META });
    await expect(cancel('widget_build:wid_nothing')).rejects.toMatchObject({ code: -32602, message: expect.stringContaining('Task not found') });
    await expect(cancel('widget_build:wid_done')).rejects.toMatchObject({
      code: -32602,
      message: expect.stringContaining("already in terminal status 'completed'"),
    });
    await host.flushAudit();
    const { rows } = await sql<{
      outcome: string;
      args: unknown;
    }>`SELECT outcome, args FROM mcp_audit_log WHERE principal_id = 'task-caller' AND tool = 'tasks/cancel' ORDER BY id`.execute(tdb.db);
    expect(rows).toEqual([
      { outcome: 'NOT_FOUND', args: { taskId: 'widget_build:wid_nothing' } },
      { outcome: 'PRECONDITION_FAILED', args: { taskId: 'widget_build:wid_done' } },
    ]);
  });
});
