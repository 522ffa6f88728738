import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '@mcpfed/testing';
import type { TestDatabase } from '@mcpfed/testing';
import { widgetMigrations } from './fixtures/widget-domain.ts';
import type { WidgetDb } from './fixtures/widget-domain.ts';
import { startIssuer } from './fixtures/widget-http.ts';
import type { RunningIssuer } from './fixtures/widget-http.ts';
import { startWidgetProcess, widgetEnv } from './fixtures/widget-process.ts';
import type { WidgetProcess } from './fixtures/widget-process.ts';

let tdb: TestDatabase<WidgetDb>;
let issuer: RunningIssuer;
let stepUp: WidgetProcess;
let toolError: WidgetProcess;

beforeAll(async () => {
  tdb = await createTestDatabase<WidgetDb>({ name: 'mcp_runtime_stepup', migrations: widgetMigrations });
  issuer = await startIssuer();
  [stepUp, toolError] = await Promise.all([
    startWidgetProcess(widgetEnv(tdb.url, issuer.url, { AUTH_SCOPE_CHALLENGE: 'http' })),
    // The default: the structured FORBIDDEN tool result.
    startWidgetProcess(widgetEnv(tdb.url, issuer.url)),
  ]);
}, 30_000);

afterAll(async () => {
  for (const server of [stepUp, toolError]) {
    server?.child.kill('SIGTERM');
    await server?.exited;
  }
  await issuer?.stop();
  await tdb?.drop();
});

const post = (server: WidgetProcess, body: unknown, token?: string) =>
  fetch(`${server.url}/mcp`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
    },
    body: JSON.stringify(body),
  });
const call = (name: string, args: Record<string, unknown>, id = 1) => ({ jsonrpc: '2.0', id, method: 'tools/call', params: { name, arguments: args } });

describe('scope challenges over HTTP', () => {
  it('names the scopes to ask for in a 401', async () => {
    const res = await post(stepUp, call('widget_get', { id: 'x' }));
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe(
      `Bearer resource_metadata="${stepUp.url}/.well-known/oauth-protected-resource", scope="customer:read customer:write"`,
    );
  });

  it('answers a tool call lacking a scope with 403 insufficient_scope naming the tool scopes, and runs nothing', async () => {
    const reader = await issuer.token(['customer:read']);
    const res = await post(stepUp, call('widget_create', { name: 'step-up' }, 7), reader);
    expect(res.status).toBe(403);
    expect(res.headers.get('www-authenticate')).toBe(
      `Bearer resource_metadata="${stepUp.url}/.well-known/oauth-protected-resource", error="insufficient_scope", scope="customer:write", error_description="the token lacks scope customer:write"`,
    );
    expect(await res.json()).toEqual({
      jsonrpc: '2.0',
      id: 7,
      error: {
        code: -32600,
        message: 'Forbidden: the token lacks scope customer:write',
        data: { required_scopes: ['customer:write'], missing_scopes: ['customer:write'] },
      },
    });
    // After stepping up, the same call goes through.
    const writer = await issuer.token(['customer:read', 'customer:write']);
    const retried = await post(stepUp, call('widget_create', { name: 'step-up' }, 8), writer);
    expect(retried.status).toBe(200);
    expect(((await retried.json()) as { result: { isError?: boolean } }).result.isError).toBeUndefined();
  });

  it('leaves batches and other methods to the structured FORBIDDEN tool error', async () => {
    const reader = await issuer.token(['customer:read']);
    const res = await post(stepUp, [call('widget_create', { name: 'batched' }, 1), call('widget_get', { id: 'x' }, 2)], reader);
    expect(res.status).toBe(200);
    const [created] = (await res.json()) as Array<{ result: { isError: boolean; structuredContent: { error: { code: string } } } }>;
    expect(created?.result).toMatchObject({ isError: true, structuredContent: { error: { code: 'FORBIDDEN' } } });
  });

  it('answers a FORBIDDEN tool result instead by default (AUTH_SCOPE_CHALLENGE=tool)', async () => {
    const reader = await issuer.token(['customer:read']);
    const res = await post(toolError, call('widget_create', { name: 'no-step-up' }), reader);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { result: unknown }).result).toMatchObject({ isError: true, structuredContent: { error: { code: 'FORBIDDEN' } } });
  });
});
