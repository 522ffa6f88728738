import { spawn } from 'node:child_process';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { ToolListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectToolError, expectToolOk } from '@mcpfed/testing';
import type { FakeUpstream } from './fixtures/fake-upstream.ts';
import {
  TEST_ISSUER_URL,
  TEST_ROUTER_SCOPES,
  TEST_UPSTREAM_RESOURCE,
  TEST_ROUTER_SECRET,
  eventually,
  startAlphaUpstream,
  startTestIssuer,
} from './fixtures/test-federation.ts';
import type { TestIssuer } from './fixtures/test-federation.ts';

const REPO_ROOT = path.resolve(import.meta.dirname, '..', '..', '..');

let issuer: TestIssuer;
let alpha: FakeUpstream;
let client: Client;

beforeAll(async () => {
  issuer = await startTestIssuer();
  alpha = await startAlphaUpstream(issuer);
  client = new Client({ name: 'router-stdio-test', version: '1.0.0' });
  await client.connect(
    new StdioClientTransport({
      command: process.execPath,
      args: [path.join(REPO_ROOT, 'apps/router/src/main.ts'), 'serve', '--stdio'],
      env: {
        ROUTER_UPSTREAMS: JSON.stringify({ upstreams: [{ name: 'alpha', url: alpha.url, resource: TEST_UPSTREAM_RESOURCE }] }),
        AUTH_ISSUER: TEST_ISSUER_URL,
        AUTH_TOKEN_URL: issuer.tokenUrl,
        AUTH_JWKS_URL: issuer.jwksUrl,
        SERVICE_CLIENT_SECRET: TEST_ROUTER_SECRET,
        SERVICE_SCOPES: TEST_ROUTER_SCOPES.join(' '),
        STDIO_PRINCIPAL: 'alice',
        STDIO_SCOPES: 'alpha:read',
        ROUTER_PROBE_INTERVAL_MS: '100',
        LOG_LEVEL: 'warn',
      },
      stderr: 'ignore',
    }),
  );
}, 30_000);

afterAll(async () => {
  await client?.close();
  await alpha?.stop();
  await issuer?.close();
});

describe('router --stdio', () => {
  it('shows the local principal only the tools STDIO_SCOPES allow and refuses the others before forwarding', async () => {
    expect((await client.listTools()).tools.map((tool) => tool.name)).toEqual(['alpha_get']);
    const before = alpha.seenOf('tools/call').length;
    expect((await expectToolError(client, 'alpha_write', {})).code).toBe('FORBIDDEN');
    expect(alpha.seenOf('tools/call').length).toBe(before);
  });

  it("calls the upstream with the router's own token down-scoped to STDIO_SCOPES", async () => {
    const result = await expectToolOk(client, 'alpha_get', { value: 'v' });
    expect(result).toEqual({ upstream: 'alpha', tool: 'alpha_get', value: 'v', subject: 'router', actors: [] });
    expect(alpha.lastPrincipal).toMatchObject({ kind: 'service', subject: 'router' });
    expect([...(alpha.lastPrincipal?.scopes ?? [])]).toEqual(['alpha:read']);
  });

  it('relays the upstream resources and prompts', async () => {
    expect(((await client.readResource({ uri: 'alpha://7' })).contents[0] as { text: string }).text).toBe(JSON.stringify({ upstream: 'alpha', id: '7' }));
    expect((await client.getPrompt({ name: 'alpha_brief', arguments: { id: 'q' } })).messages[0]?.content).toEqual({ type: 'text', text: 'brief alpha q' });
  });

  it('tells the local client when an upstream goes down and comes back, and answers UPSTREAM_UNAVAILABLE meanwhile', async () => {
    let changes = 0;
    client.setNotificationHandler(ToolListChangedNotificationSchema, () => void changes++);
    await alpha.stop();
    expect(await expectToolError(client, 'alpha_get', {})).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', retryable: true, details: { upstream: 'alpha' } });
    await eventually('list_changed after alpha went down', () => changes >= 1);
    expect((await client.listTools()).tools[0]?._meta?.['io.mcpfed/available']).toBe(false);
    await alpha.start();
    await eventually('list_changed after alpha came back', () => changes >= 2);
    expect(await expectToolOk(client, 'alpha_get', { value: 'back' })).toMatchObject({ value: 'back' });
  });
});

describe('router --stdio bound to a customer', () => {
  it('stops at start with one line: its service token cannot carry a customer binding', async () => {
    const child = spawn(process.execPath, [path.join(REPO_ROOT, 'apps/router/src/main.ts'), 'serve', '--stdio'], {
      env: {
        PATH: process.env['PATH'] ?? '',
        ROUTER_UPSTREAMS: JSON.stringify({ upstreams: [{ name: 'alpha', url: 'http://127.0.0.1:9/mcp' }] }),
        AUTH_ISSUER: TEST_ISSUER_URL,
        AUTH_TOKEN_URL: issuer.tokenUrl,
        SERVICE_CLIENT_SECRET: TEST_ROUTER_SECRET,
        STDIO_CUSTOMER_ID: 'cus_01j9jx2rc3re7ejd42xbz421kr',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(78);
    expect(stdout).toBe('');
    expect(stderr).toContain('STDIO_CUSTOMER_ID is not supported by the router under --stdio');
  }, 30_000);
});
