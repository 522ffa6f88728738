/**
 * Each generated config is used the way its client uses it: an http entry is connected to with the SDK client and
 * the entry's url and headers, its secret reference resolved as that client documents (`${VAR}` for Claude Code,
 * `${env:VAR}` for Cursor, `${input:id}` for VS Code); a stdio entry is launched with its command, args and env.
 * Behind them run the real customer server, the real router and the stack's dev provider, on the ports of a random
 * MCPFED_PORT_BASE (what the CLI reads), so the configs point exactly where `npm start` would be. No generated file
 * may hold a token.
 */
import { execFile } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadOrCreateDevIssuer } from '@mcpfed/auth';
import { createDevProvider } from '@mcpfed/auth/dev-provider';
import { DEV_SERVICE_CLIENTS, isPortTaken, resourceOf, stackPorts, stackProviderOptions } from '@mcpfed/dev-stack';
import { expectToolError, expectToolOk, runToCompletion, spawnServer, testServiceUrl } from '@mcpfed/testing';
import type { SpawnedServer } from '@mcpfed/testing';
import type { DevIssuer } from '@mcpfed/auth';
import { ROLE_PRESETS } from '../src/roles.ts';

const REPO_ROOT = path.resolve(import.meta.dirname, '..', '..', '..');
const CLI = path.join('tools', 'client-config', 'src', 'main.ts');
const CUSTOMER_READ_TOOLS = ['customer_check_eligibility', 'customer_get', 'customer_search', 'customer_timeline'];
const MISSING_CUSTOMER = 'cus_01hgzc7grw6afgn4k4q1952d1z';

let portBase = 0;
let dataDir = '';
let databaseName = '';
let databaseUrl = '';
let issuerServer: Server | undefined;
let issuer: DevIssuer;
let customer: SpawnedServer | undefined;
let router: SpawnedServer | undefined;
const clients: Client[] = [];

async function freePortBase(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = randomInt(20_000, 30_000);
    const taken = await Promise.all([0, 1, 2, 3, 4, 10].map((offset) => isPortTaken(base + offset)));
    if (!taken.some(Boolean)) return base;
  }
  throw new Error('no free port base found');
}

async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: testServiceUrl('databaseUrl') });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** What the user's shell has, plus the stack's port base and data directory. */
function cliEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = { MCPFED_PORT_BASE: String(portBase), MCPFED_DATA_DIR: dataDir, ...extra };
  for (const key of ['PATH', 'HOME', 'TMPDIR', 'LANG']) if (process.env[key] !== undefined) env[key] = process.env[key] as string;
  return env;
}

function runCli(args: readonly string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { cwd: REPO_ROOT, env: cliEnv(env) }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : -1, stdout, stderr });
    });
  });
}

async function generate(args: readonly string[], env: Record<string, string> = {}): Promise<Record<string, Record<string, Record<string, unknown>>>> {
  const result = await runCli(args, env);
  if (result.code !== 0) throw new Error(`client-config ${args.join(' ')} exited ${result.code}: ${result.stderr}`);
  return JSON.parse(result.stdout) as Record<string, Record<string, Record<string, unknown>>>;
}

/** Values a client resolves references from: its process environment, and (VS Code) the inputs the person typed. */
interface ClientSecrets {
  env?: Record<string, string>;
  inputs?: Record<string, string>;
}

/**
 * Resolves the secret references of an http entry's headers as each client documents: Claude Code `${VAR}` from
 * its environment, Cursor `${env:VAR}`, VS Code `${input:id}` from what the person typed at the prompt.
 */
function resolveHeaders(clientKind: 'claude-code' | 'cursor' | 'vscode', entry: Record<string, unknown>, secrets: ClientSecrets): Record<string, string> {
  const pattern = { 'claude-code': /\$\{([A-Z_][A-Z0-9_]*)\}/g, cursor: /\$\{env:([A-Za-z_][A-Za-z0-9_]*)\}/g, vscode: /\$\{input:([A-Za-z0-9_-]+)\}/g }[
    clientKind
  ];
  const source = clientKind === 'vscode' ? (secrets.inputs ?? {}) : (secrets.env ?? {});
  const headers = (entry['headers'] as Record<string, string> | undefined) ?? {};
  return Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, value.replace(pattern, (_, key: string) => source[key] ?? '')]));
}

async function connectHttp(entry: Record<string, unknown>, headers: Record<string, string>): Promise<Client> {
  const client = new Client({ name: 'client-config-test', version: '1.0.0' });
  clients.push(client);
  await client.connect(new StreamableHTTPClientTransport(new URL(String(entry['url'])), { requestInit: { headers } }));
  return client;
}

const JWT = /eyJ[\w-]+\.[\w-]+\./;
const SUPPORT_CUSTOMER_TOOLS = CUSTOMER_READ_TOOLS;
/** A token for the server on `port` (its resource, as npm start's servers accept): the router's unless told. */
const customerToken = (scopes: readonly string[], port = portBase) =>
  issuer.mint({ subject: 'config-user', scopes, audience: resourceOf({ port }), ttlSeconds: 600 });

async function launchStdio(entry: Record<string, unknown>): Promise<Client> {
  const client = new Client({ name: 'client-config-test', version: '1.0.0' });
  clients.push(client);
  await client.connect(
    new StdioClientTransport({
      command: String(entry['command']),
      args: entry['args'] as string[],
      env: entry['env'] as Record<string, string>,
      cwd: os.tmpdir(),
      stderr: 'ignore',
    }),
  );
  return client;
}

beforeAll(async () => {
  portBase = await freePortBase();
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'mcpfed-client-config-'));
  const issuerUrl = `http://127.0.0.1:${portBase + 10}`;
  issuer = await loadOrCreateDevIssuer({ dir: path.join(dataDir, 'dev-issuer'), issuerUrl });
  const { server } = createDevProvider(stackProviderOptions(issuer, stackPorts(portBase)));
  await new Promise<void>((resolve) => server.listen(portBase + 10, '127.0.0.1', () => resolve()));
  issuerServer = server;

  databaseName = `e2e_client_config_${randomBytes(6).toString('hex')}`;
  await admin(`CREATE DATABASE "${databaseName}"`);
  const url = new URL(testServiceUrl('databaseUrl'));
  url.pathname = `/${databaseName}`;
  databaseUrl = url.toString();
  const common = { HOST: '127.0.0.1', REDIS_URL: testServiceUrl('redisUrl'), AUTH_ISSUER: issuerUrl, LOG_LEVEL: 'warn' };
  await runToCompletion({
    name: 'client-config-customer-migrate',
    args: ['apps/customer-server/src/main.ts', 'migrate'],
    env: { ...common, DATABASE_URL: databaseUrl },
    cwd: REPO_ROOT,
  });
  customer = await spawnServer({
    name: 'client-config-customer',
    args: ['apps/customer-server/src/main.ts', 'serve'],
    env: { ...common, AUTH_AUDIENCE: resourceOf({ port: portBase + 1 }), DATABASE_URL: databaseUrl },
    cwd: REPO_ROOT,
    port: portBase + 1,
  });
  router = await spawnServer({
    name: 'client-config-router',
    args: ['apps/router/src/main.ts', 'serve'],
    env: {
      ...common,
      AUTH_AUDIENCE: resourceOf({ port: portBase }),
      ROUTER_UPSTREAMS: JSON.stringify({ upstreams: [{ name: 'customer', url: `http://127.0.0.1:${portBase + 1}/mcp` }] }),
      SERVICE_CLIENT_SECRET: DEV_SERVICE_CLIENTS.router.secret,
    },
    cwd: REPO_ROOT,
    port: portBase,
  });
}, 90_000);

afterAll(async () => {
  await Promise.all(clients.map((client) => client.close().catch(() => undefined)));
  await router?.stop();
  await customer?.stop();
  if (issuerServer) {
    issuerServer.closeAllConnections();
    await new Promise<void>((resolve) => issuerServer?.close(() => resolve()));
  }
  if (databaseName) await admin(`DROP DATABASE IF EXISTS "${databaseName}" WITH (FORCE)`);
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
}, 40_000);

describe('router mode over http, token from where the client keeps secrets', () => {
  it.each([
    ['claude-code', { type: 'http' }, 'Bearer ${MCPFED_TOKEN}'],
    ['cursor', {}, 'Bearer ${env:MCPFED_TOKEN}'],
  ] as const)(
    '%s: one "mcpfed" entry naming MCPFED_TOKEN; resolved from the environment it reaches what the token allows',
    async (clientKind, shape, header) => {
      const result = await runCli(['--client', clientKind]);
      expect(result.code).toBe(0);
      expect(result.stdout).not.toMatch(JWT);
      const config = JSON.parse(result.stdout) as Record<string, Record<string, Record<string, unknown>>>;
      expect(config).toEqual({ mcpServers: { mcpfed: { ...shape, url: `http://127.0.0.1:${portBase}/mcp/x/support`, headers: { Authorization: header } } } });
      // The default role is support; the command to get its token is printed, not run.
      expect(result.stderr).toContain(`export MCPFED_TOKEN="$(npm run -s token -- --user support --scopes "${ROLE_PRESETS.support.scopes.join(' ')}")"`);
      const entry = config['mcpServers']?.['mcpfed'] as Record<string, unknown>;
      const client = await connectHttp(entry, resolveHeaders(clientKind, entry, { env: { MCPFED_TOKEN: await customerToken(ROLE_PRESETS.support.scopes) } }));
      expect((await client.listTools()).tools.map((tool) => tool.name).sort()).toEqual(SUPPORT_CUSTOMER_TOOLS);
      expect((await expectToolError(client, 'customer_get', { id: MISSING_CUSTOMER })).code).toBe('NOT_FOUND');
    },
  );

  it('vscode: a password input the header names; with the typed token the entry connects', async () => {
    const config = await generate(['--client', 'vscode']);
    expect(config).toEqual({
      inputs: [{ type: 'promptString', id: 'mcpfed-token', description: 'mcpfed bearer token (npm run token)', password: true }],
      servers: { mcpfed: { type: 'http', url: `http://127.0.0.1:${portBase}/mcp/x/support`, headers: { Authorization: 'Bearer ${input:mcpfed-token}' } } },
    });
    const entry = (config['servers'] as Record<string, Record<string, unknown>>)['mcpfed'] as Record<string, unknown>;
    const client = await connectHttp(
      entry,
      resolveHeaders('vscode', entry, { inputs: { 'mcpfed-token': await customerToken(['customer:read', 'customer:any']) } }),
    );
    expect((await client.listTools()).tools.map((tool) => tool.name).sort()).toEqual(CUSTOMER_READ_TOOLS);
  });

  it('without the secret the client is refused with the challenge that starts OAuth: nothing in the file lets anyone in', async () => {
    const config = await generate(['--client', 'cursor']);
    const entry = (config['mcpServers'] as Record<string, Record<string, unknown>>)['mcpfed'] as Record<string, unknown>;
    const response = await fetch(String(entry['url']), {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...resolveHeaders('cursor', entry, { env: {} }) },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} }),
    });
    expect(response.status).toBe(401);
  });

  it('refuses --token with exit code 2: a token never goes into a config', async () => {
    const result = await runCli(['--client', 'cursor', '--token', 'eyJhbGciOiJFUzI1NiJ9.e30.sig']);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('--token is no longer accepted: a config file must not hold a token');
  });

  it('claude-desktop: refuses http and says what works (stdio, or a public HTTPS deployment for Connectors)', async () => {
    const result = await runCli(['--client', 'claude-desktop', '--mode', 'router', '--transport', 'http']);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain("Claude Desktop's config file only launches local (stdio) servers: use --transport stdio.");
    expect(result.stderr).toContain('publicly reachable HTTPS deployment of the router, never a localhost URL');
  });
});

describe('router mode over http with OAuth', () => {
  it.each([
    ['claude-code', { mcpServers: { mcpfed: { type: 'http', url: 'URL' } } }],
    ['cursor', { mcpServers: { mcpfed: { url: 'URL' } } }],
    ['vscode', { servers: { mcpfed: { type: 'http', url: 'URL' } } }],
  ] as const)('%s: the entry is the router URL alone; the router answers it with the metadata the client logs in from', async (clientKind, expected) => {
    const result = await runCli(['--client', clientKind, '--auth', 'oauth']);
    expect(result.code).toBe(0);
    // The default role's view: the support toolset (the router intersects it with what the person holds).
    const url = `http://127.0.0.1:${portBase}/mcp/x/support`;
    expect(JSON.parse(result.stdout)).toEqual(JSON.parse(JSON.stringify(expected).replace('"URL"', JSON.stringify(url))));
    expect(result.stderr).toContain("the client signs you in at the router's authorization server");
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: '{}',
    });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toContain(`resource_metadata="http://127.0.0.1:${portBase}/.well-known/oauth-protected-resource"`);
  });

  it('--url points the entry at a deployment instead of npm start', async () => {
    const config = await generate(['--client', 'claude-code', '--auth', 'oauth', '--url', 'https://mcp.shop.example/mcp']);
    expect(config).toEqual({ mcpServers: { mcpfed: { type: 'http', url: 'https://mcp.shop.example/mcp' } } });
    expect((await runCli(['--client', 'claude-code', '--mode', 'direct', '--url', 'https://mcp.shop.example/mcp'])).code).toBe(2);
  });
});

describe('roles', () => {
  it.each(['shopper', 'support', 'catalog', 'finance', 'analyst', 'admin'] as const)('%s: its preset becomes STDIO_SCOPES of a stdio entry', async (role) => {
    const args = [
      '--client',
      'claude-desktop',
      '--mode',
      'direct',
      '--transport',
      'stdio',
      '--role',
      role,
      ...(role === 'shopper' ? ['--customer', MISSING_CUSTOMER] : []),
    ];
    const config = await generate(args);
    const env = ((config['mcpServers'] as Record<string, Record<string, unknown>>)['customer'] as Record<string, unknown>)['env'] as Record<string, string>;
    expect(env['STDIO_SCOPES']).toBe(ROLE_PRESETS[role].scopes.join(' '));
    expect(env['STDIO_CUSTOMER_ID']).toBe(role === 'shopper' ? MISSING_CUSTOMER : undefined);
  });

  it('defaults to support, which has no write, PII, SQL or admin scope', async () => {
    const config = await generate(['--client', 'cursor', '--transport', 'stdio']);
    const env = ((config['mcpServers'] as Record<string, Record<string, unknown>>)['mcpfed'] as Record<string, unknown>)['env'] as Record<string, string>;
    expect(env['STDIO_SCOPES']).toBe('customer:read customer:any order:read payment:read product:read');
  });

  it.each([
    [['--role', 'shopper'], '--role shopper needs --customer <id>'],
    [['--role', 'owner'], '--role must be one of shopper, support, catalog, finance, analyst, admin'],
    [['--role', 'admin', '--scopes', 'admin'], '--role and --scopes exclude each other'],
    [['--role', 'shopper', '--customer', 'alice'], '--customer must be a customer id'],
    [['--role', 'shopper', '--customer', MISSING_CUSTOMER, '--transport', 'stdio'], "the router's stdio mode serves staff and refuses a customer binding"],
  ])('refuses %j with exit code 2', async (extra, message) => {
    const result = await runCli(['--client', 'cursor', ...extra]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
  });

  it.each(['shopper', 'support', 'catalog', 'finance', 'analyst', 'admin'] as const)('%s: a router http entry connects to its view', async (role) => {
    const config = await generate(['--client', 'claude-code', '--role', role, ...(role === 'shopper' ? ['--customer', MISSING_CUSTOMER] : [])]);
    const entry = (config['mcpServers'] as Record<string, Record<string, unknown>>)['mcpfed'] as Record<string, unknown>;
    expect(entry['url']).toBe(`http://127.0.0.1:${portBase}${ROLE_PRESETS[role].view}`);
    expect(ROLE_PRESETS[role].view).toMatch(/^\/mcp\/x\/[a-z,]+$/);
  });

  it('shopper over http: the token command logs in as the shopper, whose token is bound to his customer', async () => {
    const result = await runCli(['--client', 'claude-code', '--role', 'shopper', '--customer', MISSING_CUSTOMER]);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(`npm run -s token -- --user shopper --scopes "${ROLE_PRESETS.shopper.scopes.join(' ')}"`);
  });
});

describe('router mode over stdio', () => {
  it.each(['claude-desktop', 'claude-code', 'cursor', 'vscode'] as const)(
    '%s: launching the entry serves the federation to the local client',
    async (clientKind) => {
      const config = await generate(['--client', clientKind, '--mode', 'router', '--transport', 'stdio', '--scopes', 'customer:read customer:any']);
      const entries = (clientKind === 'vscode' ? config['servers'] : config['mcpServers']) as Record<string, Record<string, unknown>>;
      const entry = entries['mcpfed'] as Record<string, unknown>;
      expect(entry['command']).toBe(path.join(REPO_ROOT, 'node_modules', '.bin', 'node'));
      expect(entry['args']).toEqual([path.join(REPO_ROOT, 'apps', 'router', 'src', 'main.ts'), 'serve', '--stdio']);
      expect(entry['type']).toBe(clientKind === 'claude-code' || clientKind === 'vscode' ? 'stdio' : undefined);
      const client = await launchStdio(entry);
      expect((await client.listTools()).tools.map((tool) => tool.name).sort()).toEqual(CUSTOMER_READ_TOOLS);
      const result = await expectToolOk<{ items: unknown[] }>(client, 'customer_search', { query: 'nobody at all' });
      expect(result.items).toEqual([]);
      await client.close();
    },
  );
});

describe('direct mode', () => {
  it('http: one entry per domain server; the customer entry connects to the customer server itself', async () => {
    const config = await generate(['--client', 'cursor', '--mode', 'direct', '--transport', 'http']);
    const entries = config['mcpServers'] as Record<string, Record<string, unknown>>;
    expect(Object.keys(entries)).not.toContain('mcpfed');
    expect(Object.keys(entries)).toEqual(expect.arrayContaining(['customer', 'product', 'payment']));
    const customer = entries['customer'] as Record<string, unknown>;
    expect(customer).toEqual({ url: `http://127.0.0.1:${portBase + 1}/mcp`, headers: { Authorization: 'Bearer ${env:MCPFED_TOKEN}' } });
    const client = await connectHttp(
      customer,
      resolveHeaders('cursor', customer, { env: { MCPFED_TOKEN: await customerToken(['customer:read', 'customer:write'], portBase + 1) } }),
    );
    expect((await client.listTools()).tools.map((tool) => tool.name)).toContain('customer_create');
  });

  it('stdio: the customer entry launches the customer server on its database', async () => {
    const config = await generate(['--client', 'claude-desktop', '--mode', 'direct', '--transport', 'stdio', '--role', 'admin'], {
      DATABASE_URL_CUSTOMER: databaseUrl,
    });
    const entry = (config['mcpServers'] as Record<string, Record<string, unknown>>)['customer'] as Record<string, unknown>;
    expect((entry['env'] as Record<string, string>)['DATABASE_URL']).toBe(databaseUrl);
    const client = await launchStdio(entry);
    expect((await client.listTools()).tools).toHaveLength(13);
    await client.close();
  });

  it('stdio shopper: the customer server is bound to that customer; another customer is FORBIDDEN', async () => {
    const bound = 'cus_01j9jx2rc3re7ejd42xbz421kr';
    const config = await generate(['--client', 'claude-desktop', '--mode', 'direct', '--transport', 'stdio', '--role', 'shopper', '--customer', bound], {
      DATABASE_URL_CUSTOMER: databaseUrl,
    });
    const entry = (config['mcpServers'] as Record<string, Record<string, unknown>>)['customer'] as Record<string, unknown>;
    const client = await launchStdio(entry);
    expect((await expectToolError(client, 'customer_get', { id: MISSING_CUSTOMER })).code).toBe('FORBIDDEN');
    expect((await expectToolError(client, 'customer_get', { id: bound })).code).toBe('NOT_FOUND');
    await client.close();
  });
});

describe('--out', () => {
  it('merges the entries into an existing file and keeps the other entries', async () => {
    const file = path.join(dataDir, 'cursor', 'mcp.json');
    await runCli(['--client', 'cursor', '--mode', 'router', '--transport', 'http', '--out', file]);
    const first = JSON.parse(await readFile(file, 'utf8')) as { mcpServers: Record<string, unknown> };
    await writeFile(file, JSON.stringify({ mcpServers: { ...first.mcpServers, other: { url: 'https://example.com/mcp' } }, extra: true }));
    const result = await runCli(['--client', 'cursor', '--mode', 'router', '--transport', 'http', '--auth', 'oauth', '--out', file]);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(`wrote ${file}; cursor reads it from .cursor/mcp.json in the project`);
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({
      mcpServers: { mcpfed: { url: `http://127.0.0.1:${portBase}/mcp/x/support` }, other: { url: 'https://example.com/mcp' } },
      extra: true,
    });
  });

  it("vscode: keeps the file's other inputs and never repeats its own", async () => {
    const file = path.join(dataDir, 'vscode', 'mcp.json');
    const other = { type: 'promptString', id: 'github-token', description: 'GitHub token', password: true };
    await runCli(['--client', 'vscode', '--out', file]);
    const first = JSON.parse(await readFile(file, 'utf8')) as { inputs: unknown[]; servers: Record<string, unknown> };
    await writeFile(file, JSON.stringify({ ...first, inputs: [other, ...first.inputs] }));
    expect((await runCli(['--client', 'vscode', '--out', file])).code).toBe(0);
    const text = await readFile(file, 'utf8');
    expect(text).not.toMatch(JWT);
    const merged = JSON.parse(text) as { inputs: Array<{ id: string }> };
    expect(merged.inputs.map((input) => input.id)).toEqual(['github-token', 'mcpfed-token']);
  });

  it('refuses unknown arguments with the usage and exit code 2', async () => {
    const result = await runCli(['--client', 'zed']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--client must be one of claude-desktop, claude-code, cursor, vscode');
  });
});
