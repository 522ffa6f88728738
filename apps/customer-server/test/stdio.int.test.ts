/**
 * The documented stdio setup, as an MCP client runs it: the SDK's StdioClientTransport starts
 * `node apps/customer-server/src/main.ts serve --stdio` (and the built bundle) with only DATABASE_URL and
 * STDIO_SCOPES — no token, no AUTH_*, no REDIS_URL — and talks JSON-RPC over its stdin/stdout.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '@mcpfed/testing';
import type { TestDatabase } from '@mcpfed/testing';
import { customerMigrations } from '../migrations/index.ts';
import type { CustomerDatabase } from '../src/store/customer-database.ts';
import { testEmail } from './fixtures.ts';

const REPO_ROOT = path.resolve(import.meta.dirname, '..', '..', '..');
const APP_DIR = path.join(REPO_ROOT, 'apps', 'customer-server');
const SOURCE_MAIN = path.join(APP_DIR, 'src', 'main.ts');
const BUNDLE = path.join(APP_DIR, 'dist', 'main.js');
// customer:any: an unbound local operator reaches customers only with it (it lists no extra tool).
const SCOPES = 'customer:read customer:write customer:any';
/** What customer:read + customer:write allow: every tool but customer_export_data, customer_anonymize, customer_query_sql. */
const READ_WRITE_TOOLS = [
  'customer_add_address',
  'customer_add_note',
  'customer_check_eligibility',
  'customer_create',
  'customer_get',
  'customer_remove_address',
  'customer_search',
  'customer_set_status',
  'customer_timeline',
  'customer_update',
];

interface ToolResult {
  isError?: boolean;
  structuredContent?: Record<string, unknown>;
}

interface StdioSession {
  readonly client: Client;
  /** Everything the client's transport or protocol layer reported as an error (a non-JSON-RPC stdout line is one). */
  readonly errors: Error[];
  /** The server's stderr so far (its logs). */
  stderr(): string;
  /** The server's process id. */
  readonly pid: number;
}

let database: TestDatabase<CustomerDatabase>;

beforeAll(async () => {
  database = await createTestDatabase<CustomerDatabase>({ name: 'customer', migrations: customerMigrations });
});

afterAll(async () => {
  await database?.drop();
});

/** Starts `entry serve --stdio` the way an MCP client config does and connects the SDK client to it. */
async function connectStdio(entry: string): Promise<StdioSession> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [entry, 'serve', '--stdio'],
    env: { MCPFED_ENV: 'development', DATABASE_URL: database.url, STDIO_SCOPES: SCOPES, PATH: process.env['PATH'] ?? '' },
    stderr: 'pipe',
  });
  let stderr = '';
  transport.stderr?.on('data', (chunk: Buffer) => void (stderr += chunk.toString('utf8')));
  const errors: Error[] = [];
  const client = new Client({ name: 'stdio-test', version: '1.0.0' });
  client.onerror = (error) => void errors.push(error);
  await client.connect(transport);
  const pid = transport.pid;
  if (pid === null) throw new Error('the stdio server did not start');
  return { client, errors, stderr: () => stderr, pid };
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isRunning(pid)) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return !isRunning(pid);
}

/** tools/list, customer_create then customer_get over stdio; closes the client and checks the server exits. */
async function roundTrip(entry: string): Promise<void> {
  const session = await connectStdio(entry);
  const { client } = session;
  const context = (): string => `server stderr:\n${session.stderr()}`;
  try {
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name).sort(), context()).toEqual(READ_WRITE_TOOLS);

    const email = testEmail('stdio');
    const created = (await client.callTool({
      name: 'customer_create',
      arguments: {
        email,
        first_name: 'Stella',
        last_name: 'Stdio',
        phone: '+4915112345678',
        tier: 'gold',
        addresses: [{ kind: 'shipping', line1: 'Torstraße 1', city: 'Berlin', postal_code: '10119', country: 'DE' }],
      },
    })) as ToolResult;
    expect(created.isError, JSON.stringify(created.structuredContent)).toBeUndefined();
    const { customer, replayed } = created.structuredContent as { customer: Record<string, unknown> & { id: string }; replayed: boolean };
    expect(replayed).toBe(false);
    // Without customer:pii the principal from STDIO_SCOPES sees masked personal data.
    expect(customer).toEqual({
      id: expect.stringMatching(/^cus_[0-9a-z]{26}$/),
      email: 's***@example.com',
      first_name: 'Stella',
      last_name: 'Stdio',
      phone: '+***********78',
      tier: 'gold',
      status: 'active',
      status_reason: null,
      version: 1,
      created_at: expect.any(String),
      updated_at: customer['created_at'],
      anonymized_at: null,
      pii_masked: true,
      addresses: [
        {
          id: expect.stringMatching(/^adr_/),
          kind: 'shipping',
          is_default: true,
          recipient_name: null,
          line1: '***',
          line2: null,
          city: 'Berlin',
          region: null,
          postal_code: '1****',
          country: 'DE',
          created_at: expect.any(String),
        },
      ],
      order_stats: { order_count: 0, lifetime_value: { amount: 0, currency: 'EUR' }, last_order_at: null },
    });

    const got = (await client.callTool({ name: 'customer_get', arguments: { id: customer.id } })) as ToolResult;
    expect(got.isError, JSON.stringify(got.structuredContent)).toBeUndefined();
    expect(got.structuredContent).toEqual(customer);

    // The row holds the real values, written as the local principal the environment names.
    const row = await database.db.selectFrom('customers').select(['email', 'phone', 'tier']).where('id', '=', customer.id).executeTakeFirst();
    expect(row).toEqual({ email, phone: '+4915112345678', tier: 'gold' });
    const events = await database.db
      .selectFrom('customer_events')
      .select(['type', 'actor'])
      .where('customer_id', '=', customer.id)
      .orderBy('occurred_at')
      .orderBy('id')
      .execute();
    expect(events).toEqual([
      { type: 'customer.created', actor: 'local:local-operator' },
      { type: 'customer.address_added', actor: 'local:local-operator' },
    ]);
  } finally {
    await client.close();
  }
  // Only JSON-RPC reached the client on stdout: a log line or any other text there is a parse error here.
  expect(
    session.errors.map((error) => error.message),
    context(),
  ).toEqual([]);
  expect(session.stderr(), 'logs go to stderr').toContain('serving MCP on stdio');
  expect(session.stderr(), 'stdio never touches Redis').not.toMatch(/redis/i);
  expect(await waitForExit(session.pid, 5_000), `the server kept running after the client closed; ${context()}`).toBe(true);
}

describe('customer-server serve --stdio (src/main.ts on Node 24)', () => {
  it('lists exactly the tools of STDIO_SCOPES and round-trips customer_create / customer_get without a token or Redis', async () => {
    await roundTrip(SOURCE_MAIN);
  });
});

describe('customer-server serve --stdio (the built bundle)', () => {
  // A private, byte-identical copy of dist/main.js beside it (so node_modules resolve the same way): another test
  // file (tools/build) rewrites dist/main.js in parallel runs, and a process starting mid-write would read half a file.
  const copy = path.join(APP_DIR, 'dist', `main.stdio-test-${randomBytes(4).toString('hex')}.js`);

  beforeAll(async () => {
    const build = await new Promise<{ code: number; output: string }>((resolve) => {
      execFile(
        process.execPath,
        [path.join('tools', 'build', 'src', 'build-app.ts'), 'customer-server'],
        { cwd: REPO_ROOT, timeout: 60_000 },
        (error, stdout, stderr) => {
          resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : -1, output: stdout + stderr });
        },
      );
    });
    if (build.code !== 0) throw new Error(`node tools/build/src/build-app.ts customer-server failed (${build.code}):\n${build.output}`);
    for (let attempt = 1; ; attempt++) {
      const code = await readFile(BUNDLE, 'utf8');
      if (code.endsWith('//# sourceMappingURL=main.js.map\n')) {
        await writeFile(`${copy}.tmp`, code);
        await rename(`${copy}.tmp`, copy);
        break;
      }
      if (attempt === 20) throw new Error(`${BUNDLE} stayed incomplete (${code.length} characters)`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }, 90_000);

  afterAll(async () => {
    await rm(copy, { force: true });
    await rm(`${copy}.tmp`, { force: true });
  });

  it('round-trips the same way from apps/customer-server/dist/main.js', async () => {
    await roundTrip(copy);
  });
});
