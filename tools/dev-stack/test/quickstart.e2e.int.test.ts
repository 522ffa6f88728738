/**
 * What a new user does after `npm ci && npm start`, with real processes: the stack (tools/dev-stack/src/main.ts)
 * runs as a child on its own port base, migrates and seeds a fresh database itself, prints the banner, and the
 * MCP SDK client connects to the router with the printed token (the support user's, from a real login at the
 * stack's dev provider). Then `npm run token` (the demo shopper, a service token for one server), the shopper's
 * first order (placed through the router, approved by him in headless Chromium on the order server's approval page,
 * then placed with the same idempotency key), the HTTP guards, readiness, metrics and Ctrl-C, each checked the way
 * a user would meet them. The stack's databases and Redis keys are the test's own (DATABASE_URL_<DOMAIN>, the
 * servers' queue prefixes): it never touches what another stack on this machine uses.
 */
import { execFile, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import pg from 'pg';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestRedis, idempotencyKey, launchBrowser, testServiceUrl } from '@mcpfed/testing';
import type { TestRedis } from '@mcpfed/testing';
import { DEMO_SHOPPER_CUSTOMER_ID, DEMO_USERS } from '../src/demo-users.ts';
import { freePortBase, isPortTaken } from '../src/ports.ts';
import { DEFAULT_PORT_BASE, SERVICES, databaseUrlVariableOf, domainsOf } from '../src/services.ts';
import { pidFileOf, readPidFile, readStackFile } from '../src/stack-file.ts';

const REPO_ROOT = path.resolve(import.meta.dirname, '..', '..', '..');
const STACK_MAIN = path.join('tools', 'dev-stack', 'src', 'main.ts');
const TOKEN_CLI = path.join('tools', 'dev-stack', 'src', 'token-cli.ts');
/**
 * The stack migrates, seeds and starts its servers one after another: about 15 s alone on 2 cores, up to 20 s per
 * server while the rest of the suite runs beside it.
 */
const BANNER_TIMEOUT_MS = 180_000;
const SIGINT_EXIT_MS = 20_000;
/** The last line of the banner: everything above it has been printed. */
const BANNER_END = 'Logs follow, prefixed with the service name. Press Ctrl-C to stop.';

/** The 13 tools of the customer contract. */
const CUSTOMER_TOOLS = [
  'customer_add_address',
  'customer_add_note',
  'customer_anonymize',
  'customer_check_eligibility',
  'customer_create',
  'customer_export_data',
  'customer_get',
  'customer_query_sql',
  'customer_remove_address',
  'customer_search',
  'customer_set_status',
  'customer_timeline',
  'customer_update',
];

/** The customer tools the support user sees: all but those needing `admin` (anonymize) or `sql:read`. */
const SUPPORT_CUSTOMER_TOOLS = CUSTOMER_TOOLS.filter((name) => name !== 'customer_anonymize' && name !== 'customer_query_sql');

/** The first customer of the deterministic demo data (seed 20250101 of apps/customer-server/src/seed). */
const EWA_MENSAH = {
  id: 'cus_01hgzc7grw6afgn4k4q1952d1s',
  email: 'ewa.mensah@example.org',
  first_name: 'Ewa',
  last_name: 'Mensah',
  tier: 'silver',
  status: 'suspended',
  created_at: '2023-12-06T10:54:26.076Z',
  pii_masked: false,
};

interface ToolResult {
  isError?: boolean;
  structuredContent?: Record<string, unknown>;
}

interface Stack {
  readonly child: ChildProcess;
  /** Everything the stack printed so far (stdout and stderr interleaved). */
  output(): string;
  /** Settles with the exit status. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

let portBase = 0;
let customerPort = 0;
let routerPort = 0;
let routerUrl = '';
let issuerPort = 0;
let dataDir = '';
const databaseNames: string[] = [];
let databaseUrl = '';
/** The connection URL of the stack's database of each domain. */
const domainDatabaseUrls: Record<string, string> = {};
let stack: Stack | undefined;
let token = '';
/** A service token (client credentials) for the customer server alone. */
let customerToken = '';
let mcpUrl = '';
let bannerText = '';
const clients: Client[] = [];
/** The test's key prefix on the shared Redis, under which the stack's queues live; deleted at the end. */
let redis: TestRedis | undefined;
let browser: Browser | undefined;

async function withAdmin<T>(fn: (admin: pg.Client) => Promise<T>): Promise<T> {
  const admin = new pg.Client({ connectionString: testServiceUrl('databaseUrl'), application_name: 'mcpfed-test-quickstart' });
  admin.on('error', () => undefined);
  await admin.connect();
  try {
    return await fn(admin);
  } finally {
    await admin.end();
  }
}

/** Rows of a query on the stack's database of `domain`. */
async function queryStackDb<T extends Record<string, unknown>>(domain: string, text: string, values: readonly unknown[]): Promise<T[]> {
  const db = new pg.Client({ connectionString: domainDatabaseUrls[domain], application_name: 'mcpfed-test-quickstart' });
  db.on('error', () => undefined);
  await db.connect();
  try {
    return (await db.query<T>(text, [...values])).rows;
  } finally {
    await db.end();
  }
}

/** The value of each series of a Prometheus text page, keyed by the series (name and labels) as printed. */
async function scrapeMetrics(url: string): Promise<Map<string, number>> {
  const response = await fetch(url);
  expect(response.status).toBe(200);
  const series = new Map<string, number>();
  for (const line of (await response.text()).split('\n')) {
    const match = /^([a-z_]+(?:\{[^}]*\})?) (\S+)$/.exec(line);
    if (match !== null) series.set(match[1] as string, Number(match[2]));
  }
  return series;
}

/** Rows in the stack's customers table. */
async function countCustomers(): Promise<number | undefined> {
  const db = new pg.Client({ connectionString: databaseUrl, application_name: 'mcpfed-test-quickstart' });
  db.on('error', () => undefined);
  await db.connect();
  try {
    return (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM customers')).rows[0]?.n;
  } finally {
    await db.end();
  }
}

/** The environment of a user's shell: nothing of the test runner's own, plus what the test moves. */
function userEnv(): Record<string, string> {
  const env: Record<string, string> = { MCPFED_PORT_BASE: String(portBase), MCPFED_DATA_DIR: dataDir };
  for (const key of ['PATH', 'HOME', 'TMPDIR', 'LANG']) {
    const value = process.env[key];
    if (value !== undefined) env[key] = value;
  }
  return env;
}

function startStack(env: Record<string, string>): Stack {
  // Its own process group, as in a terminal: SIGINT to the group is Ctrl-C, and cleanup can reach the group.
  const child = spawn(process.execPath, [STACK_MAIN], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let output = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => void (output += chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => void (output += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  return { child, output: () => output, exited };
}

/** Resolves with the output once the banner is complete; rejects with the output on exit or timeout. */
async function waitForBanner(running: Stack, timeoutMs: number): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  void running.exited.then((status) => (exit = status));
  while (Date.now() < deadline) {
    if (running.output().includes(BANNER_END)) return running.output();
    if (exit !== undefined) {
      throw new Error(`the stack exited (code ${exit.code}, signal ${exit.signal}) before its banner. Output:\n${running.output()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`no banner within ${timeoutMs / 1000} s. Output:\n${running.output()}`);
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

async function exitWithin(running: Stack, ms: number): Promise<{ code: number | null; signal: NodeJS.Signals | null } | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), ms)));
  try {
    return await Promise.race([running.exited, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function connectClient(bearer: string, url = mcpUrl): Promise<Client> {
  const client = new Client({ name: 'quickstart-e2e', version: '1.0.0' });
  clients.push(client);
  await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: { Authorization: `Bearer ${bearer}` } } }));
  return client;
}

function runTokenCli(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [TOKEN_CLI, ...args], { cwd: REPO_ROOT, env: userEnv() }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : -1, stdout, stderr });
    });
  });
}

function jwtPayload(jwt: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
}

function initializeRequest(): string {
  return JSON.stringify({
    jsonrpc: '2.0',
    id: 1,
    method: 'initialize',
    params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'curl', version: '1' } },
  });
}

beforeAll(async () => {
  portBase = await freePortBase();
  customerPort = portBase + 1;
  routerPort = portBase;
  issuerPort = portBase + 10;
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'mcpfed-quickstart-'));
  // One database per domain the stack runs, so it never falls back to an embedded PostgreSQL (slow to initialise
  // and bound to a fixed port another stack may hold).
  const suffix = randomBytes(6).toString('hex');
  const databaseEnv: Record<string, string> = {};
  for (const domain of domainsOf(SERVICES)) {
    const name = `e2e_quickstart_${domain}_${suffix}`;
    await withAdmin((admin) => admin.query(`CREATE DATABASE "${name}"`));
    databaseNames.push(name);
    const url = new URL(testServiceUrl('databaseUrl'));
    url.pathname = `/${name}`;
    databaseEnv[databaseUrlVariableOf(domain)] = url.toString();
  }
  databaseUrl = databaseEnv[databaseUrlVariableOf('customer')] ?? '';
  for (const domain of domainsOf(SERVICES)) domainDatabaseUrls[domain] = databaseEnv[databaseUrlVariableOf(domain)] ?? '';

  // The servers inherit the stack's environment: their queues get the test's own prefix (the defaults are shared by
  // every stack on this Redis, whose workers would take this stack's checkout jobs).
  redis = await createTestRedis({ label: 'quickstart' });
  const queueEnv = { QUEUE_PREFIX: `${redis.prefix}queue`, ORDER_EVENTS_PREFIX: `${redis.prefix}events` };
  stack = startStack({ ...userEnv(), ...databaseEnv, ...queueEnv, REDIS_URL: testServiceUrl('redisUrl') });
  bannerText = await waitForBanner(stack, BANNER_TIMEOUT_MS);
  const lines = bannerText.split('\n');
  const tokenLine = lines.findIndex((line) => line.startsWith('Dev token (support, '));
  token = lines[tokenLine + 1] ?? '';
  mcpUrl = /^ {2}customer {2}(http:\/\/\S+\/mcp) {3}metrics /m.exec(bannerText)?.[1] ?? '';
  routerUrl = /^Router .*\n {2}(http:\/\/\S+\/mcp) {3}status /m.exec(bannerText)?.[1] ?? '';
  if (!/^[\w-]+\.[\w-]+\.[\w-]+$/.test(token) || mcpUrl === '' || routerUrl === '') {
    throw new Error(`could not read the token and the customer URL from the banner. Output:\n${bannerText}`);
  }
  const service = await runTokenCli(['--client', 'router', '--resource', 'customer']);
  if (service.code !== 0) throw new Error(`npm run token -- --client router failed: ${service.stderr}`);
  customerToken = service.stdout.trim();
}, BANNER_TIMEOUT_MS + 20_000);

afterAll(async () => {
  await Promise.all(clients.map((client) => client.close().catch(() => undefined)));
  await browser?.close();
  if (stack !== undefined && (await exitWithin(stack, 0)) === undefined) {
    // A failed run: let the stack stop its servers (SIGTERM), and only then force the group down.
    signalGroup(stack.child, 'SIGTERM');
    if ((await exitWithin(stack, 15_000)) === undefined) {
      signalGroup(stack.child, 'SIGKILL');
      await exitWithin(stack, 5_000);
    }
  }
  for (const name of databaseNames) await withAdmin((admin) => admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
  if (dataDir !== '') await rm(dataDir, { recursive: true, force: true });
  await redis?.cleanup();
}, 40_000);

describe('npm start, as a new user meets it', () => {
  it("leads with the router URL on the chosen port base, prints the support user's token for the router, the demo users and the one claude mcp add line", () => {
    expect(routerUrl).toBe(`http://127.0.0.1:${routerPort}/mcp`);
    expect(mcpUrl).toBe(`http://127.0.0.1:${customerPort}/mcp`);
    expect(bannerText.split('\n')).toContain(`    claude mcp add --transport http mcpfed ${routerUrl} --header "Authorization: Bearer ${token}"`);
    expect(bannerText).toContain(
      `  dev provider  http://127.0.0.1:${issuerPort}  (OpenID provider: http://127.0.0.1:${issuerPort}/.well-known/openid-configuration)`,
    );
    expect(bannerText).toContain('  postgres      customer: from DATABASE_URL_CUSTOMER');
    expect(bannerText).toContain(`ports moved by MCPFED_PORT_BASE=${portBase} (default 8080)`);
    expect(bannerText).toContain('  shopper  password shopper-dev');
    expect(jwtPayload(token)).toMatchObject({
      iss: `http://127.0.0.1:${issuerPort}`,
      aud: routerUrl,
      sub: 'support',
      client_id: 'mcpfed-cli',
      scope: DEMO_USERS.support.scopes.join(' '),
    });
  });

  it("addresses each token to one server: the customer server refuses the router's token", async () => {
    const response = await fetch(mcpUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', authorization: `Bearer ${token}` },
      body: initializeRequest(),
    });
    expect(response.status).toBe(401);
    expect(jwtPayload(customerToken)).toMatchObject({ aud: mcpUrl, sub: 'router' });
  });

  it('lets the SDK client list the 13 customer tools and find a seeded demo customer with a service token for the customer server', async () => {
    const client = await connectClient(customerToken);
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name).sort()).toEqual(CUSTOMER_TOOLS);

    const result = (await client.callTool({ name: 'customer_search', arguments: { query: 'Ewa Mensah', limit: 5 } })) as ToolResult;
    expect(result.isError).toBeUndefined();
    const items = (result.structuredContent as { items: Array<Record<string, unknown>> }).items;
    expect(items).toHaveLength(5);
    expect(items[0]).toEqual({ ...EWA_MENSAH, relevance: expect.any(Number) });
    expect(items.filter((item) => item['last_name'] === 'Mensah' && item['first_name'] === 'Ewa')).toHaveLength(1);
  });

  it('serves every server through the router: the customer tools among the others, scope-filtered, and a call routed to the customer server', async () => {
    const client = await connectClient(token, routerUrl);
    const names = (await client.listTools()).tools.map((tool) => tool.name);
    expect(names.filter((name) => name.startsWith('customer_')).sort()).toEqual(SUPPORT_CUSTOMER_TOOLS);
    expect(names.some((name) => name.startsWith('product_'))).toBe(true);
    expect(names.some((name) => name.startsWith('payment_'))).toBe(true);
    const result = (await client.callTool({ name: 'customer_get', arguments: { id: EWA_MENSAH.id } })) as ToolResult;
    expect(result.isError).toBeUndefined();
    expect(result.structuredContent).toMatchObject({ id: EWA_MENSAH.id, email: EWA_MENSAH.email });

    const readOnly = (await runTokenCli(['--scopes', 'customer:read'])).stdout.trim();
    const reader = await connectClient(readOnly, routerUrl);
    expect((await reader.listTools()).tools.map((tool) => tool.name).sort()).toEqual([
      'customer_check_eligibility',
      'customer_get',
      'customer_search',
      'customer_timeline',
    ]);

    const status = (await (await fetch(`http://127.0.0.1:${routerPort}/status`)).json()) as {
      status: string;
      upstreams: Array<{ name: string; health: string }>;
    };
    expect(status.status).toBe('ok');
    expect(status.upstreams.map((upstream) => upstream.health)).toEqual(status.upstreams.map(() => 'up'));
  });

  it('logs the demo shopper in with npm run token -- --user shopper: through the router he reaches his own customer only', async () => {
    const minted = await runTokenCli(['--user', 'shopper']);
    expect(minted).toMatchObject({ code: 0, stderr: '' });
    const shopper = minted.stdout.trim();
    expect(jwtPayload(shopper)).toMatchObject({ sub: 'shopper', aud: routerUrl, customer_id: DEMO_SHOPPER_CUSTOMER_ID });
    const client = await connectClient(shopper, routerUrl);
    const own = (await client.callTool({ name: 'customer_get', arguments: { id: DEMO_SHOPPER_CUSTOMER_ID } })) as ToolResult;
    expect(own.isError).toBeUndefined();
    expect(own.structuredContent).toMatchObject({ id: DEMO_SHOPPER_CUSTOMER_ID, first_name: 'Mateo', last_name: 'Lefebvre', status: 'active' });
    const other = (await client.callTool({ name: 'customer_get', arguments: { id: EWA_MENSAH.id } })) as ToolResult;
    expect(other.isError).toBe(true);
    expect((other.structuredContent as { error: { code: string } }).error.code).toBe('FORBIDDEN');
    // The order server quotes for him with the customer and product servers (his token, exchanged for each).
    const products = (await client.callTool({ name: 'product_search', arguments: { limit: 1 } })) as ToolResult;
    const sku = (products.structuredContent as { items: Array<{ sku: string }> }).items[0]?.sku;
    const quote = (await client.callTool({
      name: 'order_quote',
      arguments: { customer_id: DEMO_SHOPPER_CUSTOMER_ID, lines: [{ sku, quantity: 1 }] },
    })) as ToolResult;
    expect(quote.isError).toBeUndefined();
    expect(quote.structuredContent).toMatchObject({ customer_id: DEMO_SHOPPER_CUSTOMER_ID, eligible: true });
  });

  it("places the shopper's first order: approval_required with a link, he approves in the browser, the same call places it once", async () => {
    const orderUrl = `http://127.0.0.1:${portBase + 2}`;
    const minted = await runTokenCli(['--user', 'shopper']);
    expect(minted).toMatchObject({ code: 0, stderr: '' });
    const shopper = await connectClient(minted.stdout.trim(), routerUrl);

    // A product in stock, and what the order server quotes for one of it.
    const found = (await shopper.callTool({ name: 'product_search', arguments: { filter: { in_stock: true }, limit: 1 } })) as ToolResult;
    expect(found.isError).toBeUndefined();
    const product = (found.structuredContent as { items: Array<{ sku: string; name: string }> }).items[0] as { sku: string; name: string };
    const lines = [{ sku: product.sku, quantity: 1 }];
    const quoted = (await shopper.callTool({ name: 'order_quote', arguments: { customer_id: DEMO_SHOPPER_CUSTOMER_ID, lines } })) as ToolResult;
    expect(quoted.isError).toBeUndefined();
    const quote = quoted.structuredContent as { eligible: boolean; total: { amount: number; currency: string } };
    expect(quote.eligible).toBe(true);
    const { amount, currency } = quote.total;
    expect(amount).toBeGreaterThan(0);

    const metricsUrl = `${orderUrl}/metrics`;
    const before = await scrapeMetrics(metricsUrl);
    const place = { customer_id: DEMO_SHOPPER_CUSTOMER_ID, lines, payment_method: 'pm_card_visa', idempotency_key: idempotencyKey(), wait_ms: 20_000 };
    const call = async (): Promise<ToolResult> =>
      (await shopper.callTool({ name: 'order_place', arguments: place }, undefined, { timeout: 40_000 })) as ToolResult;

    // He acts for a customer: the first call places nothing and returns the link to his approval page.
    const asked = await call();
    expect(asked.isError).toBeUndefined();
    const approval = (asked.structuredContent as { approval: { approval_id: string; approval_url: string; amount: number; currency: string } }).approval;
    expect(asked.structuredContent).toMatchObject({ done: false, replayed: false, approval: { status: 'approval_required', amount, currency } });
    expect((asked.structuredContent as { order?: unknown }).order).toBeUndefined();
    expect(approval.approval_url).toBe(`${orderUrl}/approvals/${approval.approval_id}`);
    expect(await queryStackDb('order', 'SELECT count(*)::int AS n FROM orders WHERE customer_id = $1', [DEMO_SHOPPER_CUSTOMER_ID])).toEqual([{ n: 0 }]);

    // He opens the link: the order server sends him to the dev provider's login page, then shows what he approves.
    browser ??= await launchBrowser();
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      await page.goto(approval.approval_url);
      expect(new URL(page.url()).origin).toBe(`http://127.0.0.1:${issuerPort}`);
      await page.getByLabel('User').fill('shopper');
      await page.getByLabel('Password').fill(DEMO_USERS.shopper.password);
      await Promise.all([
        page.waitForURL((url) => url.href === approval.approval_url, { timeout: 30_000 }),
        page.getByRole('button', { name: 'Sign in' }).click(),
      ]);
      expect(await page.textContent('h1')).toBe('Approve a charge?');
      expect(await page.textContent('#amount')).toBe(`${(amount / 100).toFixed(2)} ${currency}`);
      expect(await page.textContent('#customer')).toBe(DEMO_SHOPPER_CUSTOMER_ID);
      const rows = await page.locator('table tbody tr').allTextContents();
      expect(rows).toHaveLength(1);
      expect(rows[0]).toContain(product.sku);
      await page.click('#approve');
      expect(await page.textContent('#result')).toBe('approved');
    } finally {
      await context.close();
    }
    expect(await queryStackDb('order', 'SELECT status, decided_by FROM approvals WHERE id = $1', [approval.approval_id])).toEqual([
      { status: 'approved', decided_by: 'shopper' },
    ]);

    // The agent calls again with the same key: the order is placed, the checkout runs as him on every server.
    const placed = await call();
    expect(placed.isError).toBeUndefined();
    const answer = placed.structuredContent as {
      done: boolean;
      replayed: boolean;
      order: { id: string; status: string; total_amount: number; currency: string; customer_id: string };
    };
    expect(answer).toMatchObject({ replayed: false, order: { customer_id: DEMO_SHOPPER_CUSTOMER_ID, total_amount: amount, currency } });
    const orderId = answer.order.id;
    let status = answer.order.status;
    for (const deadline = Date.now() + 60_000; status === 'pending' && Date.now() < deadline;) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      const got = (await shopper.callTool({ name: 'order_get', arguments: { order_id: orderId } })) as ToolResult;
      status = (got.structuredContent as { order: { status: string } }).order.status;
    }
    expect(status).toBe('confirmed');
    expect(await queryStackDb('order', 'SELECT id, status, total_amount::int AS total FROM orders WHERE customer_id = $1', [DEMO_SHOPPER_CUSTOMER_ID])).toEqual(
      [{ id: orderId, status: 'confirmed', total: amount }],
    );
    expect((await queryStackDb('order', 'SELECT status FROM approvals WHERE id = $1', [approval.approval_id]))[0]).toEqual({ status: 'used' });
    // One payment, captured in full, created by the shopper himself (the order server acted for him).
    expect(
      await queryStackDb(
        'payment',
        'SELECT status, amount_authorized::int AS authorized, amount_captured::int AS captured, currency, customer_id, created_by FROM payments WHERE order_ref = $1',
        [orderId],
      ),
    ).toEqual([{ status: 'captured', authorized: amount, captured: amount, currency, customer_id: DEMO_SHOPPER_CUSTOMER_ID, created_by: 'shopper' }]);

    // What an operator watches: the checkout's calls on the order server's /metrics, and its log line with the order id.
    const after = await scrapeMetrics(metricsUrl);
    const delta = (series: string) => (after.get(series) ?? 0) - (before.get(series) ?? 0);
    expect(delta('mcp_tool_calls_total{tool="order_place",outcome="ok",service="order-server"}')).toBe(2);
    for (const [upstream, tool] of [
      ['customer', 'customer_check_eligibility'],
      ['product', 'inventory_reserve'],
      ['payment', 'payment_authorize'],
      ['payment', 'payment_capture'],
      ['product', 'inventory_commit'],
    ]) {
      expect(delta(`federation_calls_total{upstream="${upstream}",tool="${tool}",outcome="ok",service="order-server"}`), tool).toBe(1);
    }
    const logLines = (stack as Stack)
      .output()
      .split('\n')
      .filter((line) => line.includes(`order_id=${orderId}`));
    expect(logLines.filter((line) => /^order +\| \S+ INFO +checkout confirmed /.test(line))).toHaveLength(1);
  }, 150_000);

  it('answers a request without a token with 401 and a WWW-Authenticate pointing at the resource metadata', async () => {
    const response = await fetch(mcpUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: initializeRequest(),
    });
    expect(response.status).toBe(401);
    const challenge = response.headers.get('www-authenticate') ?? '';
    expect(challenge).toContain('resource_metadata=');
    // The scopes to ask for: everything the customer server's tools need.
    expect(challenge).toBe(
      `Bearer resource_metadata="http://127.0.0.1:${customerPort}/.well-known/oauth-protected-resource", scope="admin customer:pii customer:read customer:write sql:read"`,
    );
    expect(await response.json()).toEqual({ jsonrpc: '2.0', id: null, error: { code: -32600, message: 'Unauthorized: a bearer token is required' } });

    // What a client does next: the metadata names the dev issuer of this stack.
    const metadata = await fetch(`http://127.0.0.1:${customerPort}/.well-known/oauth-protected-resource`);
    expect(metadata.status).toBe(200);
    expect(await metadata.json()).toMatchObject({ resource: mcpUrl, authorization_servers: [`http://127.0.0.1:${issuerPort}`] });
  });

  it('gets a customer:read token for the customer server with npm run token that may read but gets FORBIDDEN from customer_create', async () => {
    const minted = await runTokenCli(['--scopes', 'customer:read', '--resource', 'customer']);
    expect(minted).toMatchObject({ code: 0, stderr: '' });
    expect(minted.stdout).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+\n$/);
    const readOnly = minted.stdout.trim();
    expect(jwtPayload(readOnly)).toMatchObject({ iss: `http://127.0.0.1:${issuerPort}`, aud: mcpUrl, sub: 'support', scope: 'customer:read' });

    const client = await connectClient(readOnly);
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name).sort()).toEqual(['customer_check_eligibility', 'customer_get', 'customer_search', 'customer_timeline']);

    const result = (await client.callTool({
      name: 'customer_create',
      arguments: { email: 'new.user@example.com', first_name: 'New', last_name: 'User' },
    })) as ToolResult;
    expect(result.isError).toBe(true);
    expect(result.structuredContent).toEqual({
      error: {
        code: 'FORBIDDEN',
        message: 'customer_create needs the scope(s) customer:write, which this token does not grant. Ask for a token with them; do not retry as is.',
        retryable: false,
        details: { required: ['customer:write'], missing: ['customer:write'] },
      },
    });
    // Nothing was written: still exactly the 1000 seeded customers.
    expect(await countCustomers()).toBe(1000);
  });

  it('refuses a foreign Origin with 403 even with a valid token', async () => {
    const response = await fetch(mcpUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        authorization: `Bearer ${customerToken}`,
        origin: 'https://evil.example',
      },
      body: initializeRequest(),
    });
    expect(response.status).toBe(403);
    expect(await response.json()).toEqual({ jsonrpc: '2.0', id: null, error: { code: -32600, message: 'Forbidden: origin not allowed' } });
  });

  it('is ready and counts the tool calls in /metrics', async () => {
    const ready = await fetch(`http://127.0.0.1:${customerPort}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', checks: { database: 'ok', schema: 'ok', redis: 'ok' } });

    const metrics = await fetch(`http://127.0.0.1:${customerPort}/metrics`);
    expect(metrics.status).toBe(200);
    const lines = (await metrics.text()).split('\n');
    expect(lines).toContain('mcp_tool_calls_total{tool="customer_search",outcome="ok",service="customer-server"} 1');
    expect(lines).toContain('mcp_tool_calls_total{tool="customer_create",outcome="error",service="customer-server"} 1');
    expect(lines).toContain('mcp_tool_errors_total{tool="customer_create",code="FORBIDDEN",service="customer-server"} 1');
  });

  it('restarts a server killed with SIGKILL, says so, and serves again, while the other servers keep running', async () => {
    const stackFile = readStackFile(dataDir);
    expect(stackFile?.pid).toBe(stack?.child.pid);
    expect(Object.keys(stackFile?.services ?? {}).sort()).toEqual(['customer', 'order', 'payment', 'product', 'router']);
    const pids = Object.fromEntries(SERVICES.map((service) => [service.name, readPidFile(pidFileOf(dataDir, service.name))]));
    for (const pid of Object.values(pids)) expect(pid).toBeGreaterThan(0);

    process.kill(pids['customer'] as number, 'SIGKILL');
    const deadline = Date.now() + 60_000;
    let back: number | undefined;
    while (Date.now() < deadline) {
      back = readPidFile(pidFileOf(dataDir, 'customer'));
      if (back !== undefined && back !== pids['customer'] && (stack as Stack).output().includes('customer is back (pid')) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const output = (stack as Stack).output();
    expect(output).toMatch(/customer exited unexpectedly \(signal SIGKILL\) after \d+\.\d s; restarting it in 0\.5 s \(attempt 1 of 5\)/);
    expect(output).toContain(`customer is back (pid ${back}`);
    const client = await connectClient(customerToken);
    const result = (await client.callTool({ name: 'customer_get', arguments: { id: EWA_MENSAH.id } })) as ToolResult;
    expect(result.structuredContent).toMatchObject({ id: EWA_MENSAH.id });
    // Nobody else was stopped or restarted.
    for (const service of SERVICES.filter((s) => s.name !== 'customer')) {
      expect(readPidFile(pidFileOf(dataDir, service.name)), service.name).toBe(pids[service.name]);
      expect(() => process.kill(pids[service.name] as number, 0), service.name).not.toThrow();
    }
    expect(output).not.toMatch(/(order|payment|product|router) exited unexpectedly/);
  }, 70_000);

  it(
    'stops on Ctrl-C (SIGINT): exit code 0 within 20 s, and the customer port is free again',
    async () => {
      await Promise.all(clients.splice(0).map((client) => client.close()));
      const running = stack as Stack;
      signalGroup(running.child, 'SIGINT');
      const status = await exitWithin(running, SIGINT_EXIT_MS);
      expect(status, `the stack did not exit within ${SIGINT_EXIT_MS / 1000} s. Output:\n${running.output()}`).toEqual({ code: 0, signal: null });
      expect(running.output()).toMatch(/stopped\n/);
      expect(await isPortTaken(customerPort)).toBe(false);
      expect(await isPortTaken(routerPort)).toBe(false);
      expect(await isPortTaken(issuerPort)).toBe(false);
      // SERVICES holds this process's default ports: the same offsets from the stack's base.
      for (const service of SERVICES) expect(await isPortTaken(portBase + service.port - DEFAULT_PORT_BASE), service.name).toBe(false);
      expect(readStackFile(dataDir)).toBeUndefined();
      for (const service of SERVICES) expect(readPidFile(pidFileOf(dataDir, service.name)), service.name).toBeUndefined();
    },
    SIGINT_EXIT_MS + 5_000,
  );
});
