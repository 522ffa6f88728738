/**
 * Issue 11.1, the router half of the scope matrix: for every tool, resource template, resource and prompt the
 * router serves — taken from the live catalog of the four real servers, not listed by hand — a caller without a
 * scope it needs never sees it and is refused (FORBIDDEN), over HTTP and over stdio, and nothing is written
 * upstream. Under stdio the upstream holds the local caller to STDIO_SCOPES too: its service token is down-scoped.
 */
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectToolOk, idempotencyKey } from '@mcpfed/testing';
import { FEDERATION_SCOPES } from '../src/config.ts';
import { DOMAINS, spawnFederation } from './fixtures/spawn-federation.ts';
import type { SpawnedFederation } from './fixtures/spawn-federation.ts';

/** One thing the router serves, with the scopes its server published for it. */
interface Item {
  kind: 'tool' | 'template' | 'resource' | 'prompt';
  /** Tool or prompt name, URI template or URI. */
  name: string;
  scopes: string[];
}

/** STDIO_SCOPES of the two local callers: together they lack every scope, so each item is refused to at least one. */
const STDIO_A = ['customer:read', 'order:read'];
const STDIO_B = FEDERATION_SCOPES.filter((scope) => !STDIO_A.includes(scope));

let federation: SpawnedFederation;
let items: Item[];
let customer: { id: string; email: string; phone: string };

function scopesOf(entry: { _meta?: Record<string, unknown> | undefined }): string[] {
  return (entry._meta?.['io.mcpfed/scopes'] as string[] | undefined) ?? [];
}

/** Every row of every table of every domain except the audit log, as one digest per table. */
async function digests(): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const domain of DOMAINS) {
    const { db } = federation.databases[domain];
    const { rows } = await sql<{ name: string }>`
      SELECT table_name AS name FROM information_schema.tables
      WHERE table_schema = 'public' AND table_type = 'BASE TABLE' AND table_name <> 'mcp_audit_log' ORDER BY 1`.execute(db);
    for (const { name } of rows) {
      const digest = await sql<{ md5: string | null }>`SELECT md5(string_agg(t::text, '|' ORDER BY t::text)) AS md5 FROM ${sql.table(name)} t`.execute(db);
      out[`${domain}.${name}`] = digest.rows[0]?.md5 ?? 'empty';
    }
  }
  return out;
}

/** A URI of `template` with every variable filled in. */
function expand(template: string, value: string): string {
  return template.replace(/\{[^}]+\}/g, value);
}

/** What `client` is shown, by kind. */
async function shown(client: Client): Promise<Record<Item['kind'], Set<string>>> {
  return {
    tool: new Set((await client.listTools()).tools.map((t) => t.name)),
    template: new Set((await client.listResourceTemplates()).resourceTemplates.map((t) => t.uriTemplate)),
    resource: new Set((await client.listResources()).resources.map((r) => r.uri)),
    prompt: new Set((await client.listPrompts()).prompts.map((p) => p.name)),
  };
}

/** Asks for `item` and returns the mcpfed error code of the refusal (or `ALLOWED` when it was served). */
async function refusal(client: Client, item: Item): Promise<string> {
  if (item.kind === 'tool') {
    // Over HTTP the router challenges a missing scope with 403 insufficient_scope (step-up); stdio answers FORBIDDEN.
    return client.callTool({ name: item.name, arguments: {} }).then(
      (result) =>
        (result as { isError?: boolean }).isError === true
          ? ((result as { structuredContent?: { error?: { code: string } } }).structuredContent?.error?.code ?? 'NO_CODE')
          : 'ALLOWED',
      (error: { code?: unknown; message?: string }) =>
        error.code === 403 && error.message?.includes('Forbidden: the token lacks scope') === true ? 'FORBIDDEN' : 'NO_CODE',
    );
  }
  const request =
    item.kind === 'prompt'
      ? client.getPrompt({ name: item.name, arguments: {} })
      : client.readResource({ uri: item.kind === 'template' ? expand(item.name, 'x') : item.name });
  return request.then(
    () => 'ALLOWED',
    (error: { data?: { code?: string } }) => error.data?.code ?? 'NO_CODE',
  );
}

/**
 * Resolves with what `client` is shown once it shows what `scopes` allow, or what it shows after `timeoutMs`: a
 * router process on a loaded machine may start before its first discovery of every upstream succeeded (it starts
 * degraded and completes its catalog by probing).
 */
async function settledView(client: Client, scopes: readonly string[], timeoutMs = 30_000): Promise<Record<Item['kind'], Set<string>>> {
  const expected = items.filter((item) => item.scopes.every((scope) => scopes.includes(scope)));
  const until = Date.now() + timeoutMs;
  for (;;) {
    const visible = await shown(client);
    if (expected.every((item) => visible[item.kind].has(item.name)) || Date.now() > until) return visible;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Asserts that `client`, holding `scopes`, is shown exactly the items those scopes allow and refused every other one. */
async function expectHeldTo(client: Client, scopes: readonly string[]): Promise<number> {
  const visible = await settledView(client, scopes);
  const denied = items.filter((item) => item.scopes.some((scope) => !scopes.includes(scope)));
  for (const item of items) {
    expect({ item: item.name, listed: visible[item.kind].has(item.name) }).toEqual({ item: item.name, listed: !denied.includes(item) });
  }
  for (const item of denied) expect({ item: item.name, code: await refusal(client, item) }).toEqual({ item: item.name, code: 'FORBIDDEN' });
  return denied.length;
}

beforeAll(async () => {
  federation = await spawnFederation({ name: 's' });
  const admin = await federation.connect(FEDERATION_SCOPES);
  const email = `${idempotencyKey()}@example.com`;
  const created = await expectToolOk<{ customer: { id: string } }>(admin, 'customer_create', {
    email,
    phone: '+4930123456789',
    first_name: 'Scope',
    last_name: 'Matrix',
    addresses: [{ kind: 'shipping', line1: 'Geheimweg 7', city: 'Berlin', postal_code: '10115', country: 'DE' }],
  });
  customer = { id: created.customer.id, email, phone: '+4930123456789' };
  items = [
    ...(await admin.listTools()).tools.map((t) => ({ kind: 'tool' as const, name: t.name, scopes: scopesOf(t) })),
    ...(await admin.listResourceTemplates()).resourceTemplates.map((t) => ({ kind: 'template' as const, name: t.uriTemplate, scopes: scopesOf(t) })),
    ...(await admin.listResources()).resources.map((r) => ({ kind: 'resource' as const, name: r.uri, scopes: scopesOf(r) })),
    ...(await admin.listPrompts()).prompts.map((p) => ({ kind: 'prompt' as const, name: p.name, scopes: scopesOf(p) })),
  ];
}, 120_000);

afterAll(async () => {
  await federation?.close();
}, 60_000);

describe('the scope matrix through the router', () => {
  it('covers a live catalog in which every item names the scopes it needs', () => {
    const count = (kind: Item['kind']) => items.filter((item) => item.kind === kind).length;
    expect(count('tool')).toBeGreaterThanOrEqual(40);
    expect(count('template')).toBeGreaterThanOrEqual(4);
    expect(count('resource')).toBeGreaterThanOrEqual(4);
    expect(count('prompt')).toBeGreaterThanOrEqual(4);
    expect(items.filter((item) => item.scopes.length === 0)).toEqual([]);
  });

  it('over HTTP: a token lacking any one scope never sees what needs it and is refused it, and nothing is written', async () => {
    const before = await digests();
    let refused = 0;
    for (const scope of FEDERATION_SCOPES) {
      if (!items.some((item) => item.scopes.includes(scope))) continue;
      const held = FEDERATION_SCOPES.filter((s) => s !== scope);
      refused += await expectHeldTo(await federation.connect(held, `lacks-${scope}`), held);
    }
    expect(refused).toBeGreaterThanOrEqual(items.length);
    expect(await digests()).toEqual(before);
  });

  it('over stdio: STDIO_SCOPES holds for every method, and together the two local callers are refused every item', async () => {
    const before = await digests();
    const refusedA = await expectHeldTo(await federation.connectStdio(STDIO_A, 'a'), STDIO_A);
    const refusedB = await expectHeldTo(await federation.connectStdio(STDIO_B, 'b'), STDIO_B);
    const neither = items.filter((item) => item.scopes.every((scope) => STDIO_A.includes(scope)) && item.scopes.every((scope) => STDIO_B.includes(scope)));
    expect(neither).toEqual([]);
    expect(refusedA + refusedB).toBeGreaterThanOrEqual(items.length);
    expect(await digests()).toEqual(before);
  });

  it('under stdio the upstream enforces STDIO_SCOPES too: customer:read without customer:pii reads masked personal data', async () => {
    // customer:any: an unbound local caller reaches customers only with it.
    const local = await federation.connectStdio(['customer:read', 'customer:any'], 'masked');
    await settledView(local, ['customer:read', 'customer:any']);
    const read = JSON.stringify((await local.readResource({ uri: `customer://${customer.id}` })).contents);
    const got = JSON.stringify(await expectToolOk(local, 'customer_get', { id: customer.id }));
    for (const text of [read, got]) {
      expect(text).toContain(customer.id);
      expect(text).not.toContain(customer.email);
      expect(text).not.toContain(customer.phone);
      expect(text).not.toContain('Geheimweg');
    }
    // The same read with customer:pii is unmasked: the masking above is the scopes, not the data.
    const pii = await federation.connectStdio(['customer:read', 'customer:pii', 'customer:any'], 'pii');
    await settledView(pii, ['customer:read', 'customer:pii', 'customer:any']);
    expect(JSON.stringify((await pii.readResource({ uri: `customer://${customer.id}` })).contents)).toContain(customer.email);
  });
});
