import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectLinkedClient, createTestDatabase, testPrincipal } from '@mcpfed/testing';
import type { TestDatabase } from '@mcpfed/testing';
import type { McpHost } from '../src/index.ts';
import { widgetMigrations } from './fixtures/widget-domain.ts';
import type { WidgetDb } from './fixtures/widget-domain.ts';
import { createWidgetHost } from './fixtures/widget-host.ts';

/**
 * What a router learns from a server's lists: every tool, resource template and prompt names the scopes it
 * needs and the deadline the server gives it (`_meta["io.mcpfed/scopes"]`, `_meta["io.mcpfed/deadline_ms"]`).
 */
let tdb: TestDatabase<WidgetDb>;
let host: McpHost<WidgetDb>;
let client: Client;
let close: () => Promise<void>;

beforeAll(async () => {
  tdb = await createTestDatabase<WidgetDb>({ name: 'mcp_runtime_meta', migrations: widgetMigrations });
  host = createWidgetHost(tdb.db, { defaultDeadlineMs: 4000 }).host;
  ({ client, close } = await connectLinkedClient(host, testPrincipal(['customer:read', 'customer:write'])));
});

afterAll(async () => {
  await close?.();
  await host?.close();
  await tdb?.drop();
});

describe('catalog _meta', () => {
  it("publishes each tool's scopes and deadline (its own, else the server default)", async () => {
    const tools = Object.fromEntries((await client.listTools()).tools.map((tool) => [tool.name, tool._meta]));
    expect(tools).toEqual({
      // widget_get was renamed from widget_fetch (test/fixtures/widget-domain.ts): its former name is published too.
      widget_get: { 'io.mcpfed/scopes': ['customer:read'], 'io.mcpfed/deadline_ms': 4000, 'io.mcpfed/aliases': ['widget_fetch'] },
      widget_create: { 'io.mcpfed/scopes': ['customer:write'], 'io.mcpfed/deadline_ms': 4000 },
      widget_rename: { 'io.mcpfed/scopes': ['customer:write'], 'io.mcpfed/deadline_ms': 4000 },
      widget_slow: { 'io.mcpfed/scopes': ['customer:read'], 'io.mcpfed/deadline_ms': 5000 },
      widget_hang: { 'io.mcpfed/scopes': ['customer:read'], 'io.mcpfed/deadline_ms': 200 },
      widget_crash: { 'io.mcpfed/scopes': ['customer:read'], 'io.mcpfed/deadline_ms': 4000 },
      widget_ship: { 'io.mcpfed/scopes': ['customer:write'], 'io.mcpfed/deadline_ms': 10_000 },
    });
  });

  it('publishes the scopes and deadline of resource templates and prompts', async () => {
    const templates = (await client.listResourceTemplates()).resourceTemplates;
    expect(templates.map((t) => [t.uriTemplate, t._meta])).toEqual([
      ['widget://{id}', { 'io.mcpfed/scopes': ['customer:read'], 'io.mcpfed/deadline_ms': 4000 }],
    ]);
    const prompts = (await client.listPrompts()).prompts;
    expect(prompts.map((p) => [p.name, p._meta])).toEqual([['widget_brief', { 'io.mcpfed/scopes': ['customer:read'], 'io.mcpfed/deadline_ms': 4000 }]]);
  });
});
