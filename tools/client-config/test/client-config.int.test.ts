/**
 * Each generated config is used the way its client uses it: an http entry is connected to with the SDK client and
 * the entry's url and headers; a stdio entry is launched with its command, args and env. Behind them run the real
 * customer server, the real router and the dev issuer, on the ports of a random MCPFED_PORT_BASE (what the CLI
 * reads), so the configs point exactly where `npm start` would be.
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
import { createDevIssuerServer, loadOrCreateDevIssuer } from '@mcpfed/auth';
import { SCOPES } from '@mcpfed/contract-common';
import { DEV_SERVICE_CLIENTS, isPortTaken } from '@mcpfed/dev-stack';
import { expectToolError, expectToolOk, runToCompletion, spawnServer, testServiceUrl } from '@mcpfed/testing';
import type { SpawnedServer } from '@mcpfed/testing';

const REPO_ROOT = path.resolve(import.meta.dirname, '..', '..', '..');
const CLI = path.join('tools', 'client-config', 'src', 'main.ts');
const CUSTOMER_READ_TOOLS = ['customer_check_eligibility', 'customer_get', 'customer_search', 'customer_timeline'];
const MISSING_CUSTOMER = 'cus_01hgzc7grw6afgn4k4q1952d1z';

let portBase = 0;
let dataDir = '';
let databaseName = '';
let databaseUrl = '';
let issuerServer: Server | undefined;
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

async function connectHttp(entry: Record<string, unknown>): Promise<Client> {
  const client = new Client({ name: 'client-config-test', version: '1.0.0' });
  clients.push(client);
  await client.connect(new StreamableHTTPClientTransport(new URL(String(entry['url'])), { requestInit: { headers: entry['headers'] as Record<string, string> } }));
  return client;
}

async function launchStdio(entry: Record<string, unknown>): Promise<Client> {
  const client = new Client({ name: 'client-config-test', version: '1.0.0' });
  clients.push(client);
  await client.connect(
    new StdioClientTransport({ command: String(entry['command']), args: entry['args'] as string[], env: entry['env'] as Record<string, string>, cwd: os.tmpdir(), stderr: 'ignore' }),
  );
  return client;
}

beforeAll(async () => {
  portBase = await freePortBase();
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'mcpfed-client-config-'));
  const issuerUrl = `http://127.0.0.1:${portBase + 10}`;
  const issuer = await loadOrCreateDevIssuer({ dir: path.join(dataDir, 'dev-issuer'), issuerUrl });
  const server = createDevIssuerServer(issuer, { scopesSupported: SCOPES, clients: Object.values(DEV_SERVICE_CLIENTS) });
  await new Promise<void>((resolve) => server.listen(portBase + 10, '127.0.0.1', () => resolve()));
  issuerServer = server;

  databaseName = `e2e_client_config_${randomBytes(6).toString('hex')}`;
  await admin(`CREATE DATABASE "${databaseName}"`);
  const url = new URL(testServiceUrl('databaseUrl'));
  url.pathname = `/${databaseName}`;
  databaseUrl = url.toString();
  const common = { HOST: '127.0.0.1', REDIS_URL: testServiceUrl('redisUrl'), AUTH_ISSUER: issuerUrl, LOG_LEVEL: 'warn' };
  await runToCompletion({ name: 'client-config-customer-migrate', args: ['apps/customer-server/src/main.ts', 'migrate'], env: { ...common, DATABASE_URL: databaseUrl }, cwd: REPO_ROOT });
  customer = await spawnServer({
    name: 'client-config-customer',
    args: ['apps/customer-server/src/main.ts', 'serve'],
    env: { ...common, DATABASE_URL: databaseUrl },
    cwd: REPO_ROOT,
    port: portBase + 1,
  });
  router = await spawnServer({
    name: 'client-config-router',
    args: ['apps/router/src/main.ts', 'serve'],
    env: {
      ...common,
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

describe('router mode over http', () => {
  it.each([
    ['claude-code', { type: 'http' }],
    ['cursor', {}],
  ] as const)('%s: one "mcpfed" entry whose url and headers reach the whole federation', async (clientKind, shape) => {
    const config = await generate(['--client', clientKind, '--mode', 'router', '--transport', 'http', '--token', 'T0K3N']);
    expect(Object.keys(config)).toEqual(['mcpServers']);
    const entries = config['mcpServers'] as Record<string, Record<string, unknown>>;
    expect(Object.keys(entries)).toEqual(['mcpfed']);
    expect(entries['mcpfed']).toEqual({ ...shape, url: `http://127.0.0.1:${portBase}/mcp`, headers: { Authorization: 'Bearer T0K3N' } });
  });

  it('vscode: a "servers" document; with a minted token its entry connects and sees only what the token allows', async () => {
    const config = await generate(['--client', 'vscode', '--mode', 'router', '--transport', 'http', '--scopes', 'customer:read customer:any']);
    const entry = (config['servers'] as Record<string, Record<string, unknown>>)['mcpfed'] as Record<string, unknown>;
    expect(entry['type']).toBe('http');
    const client = await connectHttp(entry);
    expect((await client.listTools()).tools.map((tool) => tool.name).sort()).toEqual(CUSTOMER_READ_TOOLS);
    expect((await expectToolError(client, 'customer_get', { id: MISSING_CUSTOMER })).code).toBe('NOT_FOUND');
  });

  it('claude-desktop: refuses http and says what to do instead', async () => {
    const result = await runCli(['--client', 'claude-desktop', '--mode', 'router', '--transport', 'http', '--token', 'x']);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain("Claude Desktop's config file only launches local (stdio) servers: use --transport stdio");
  });
});

describe('router mode over stdio', () => {
  it.each(['claude-desktop', 'claude-code', 'cursor', 'vscode'] as const)('%s: launching the entry serves the federation to the local client', async (clientKind) => {
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
  });
});

describe('direct mode', () => {
  it('http: one entry per domain server; the customer entry connects to the customer server itself', async () => {
    const config = await generate(['--client', 'cursor', '--mode', 'direct', '--transport', 'http', '--token', 'abc']);
    const entries = config['mcpServers'] as Record<string, Record<string, unknown>>;
    expect(Object.keys(entries)).not.toContain('mcpfed');
    expect(Object.keys(entries)).toEqual(expect.arrayContaining(['customer', 'product', 'payment']));
    expect(entries['customer']?.['url']).toBe(`http://127.0.0.1:${portBase + 1}/mcp`);
    const minted = await generate(['--client', 'cursor', '--mode', 'direct', '--transport', 'http', '--scopes', 'customer:read customer:write']);
    const client = await connectHttp((minted['mcpServers'] as Record<string, Record<string, unknown>>)['customer'] as Record<string, unknown>);
    expect((await client.listTools()).tools.map((tool) => tool.name)).toContain('customer_create');
  });

  it('stdio: the customer entry launches the customer server on its database', async () => {
    const config = await generate(['--client', 'claude-desktop', '--mode', 'direct', '--transport', 'stdio'], { DATABASE_URL_CUSTOMER: databaseUrl });
    const entry = (config['mcpServers'] as Record<string, Record<string, unknown>>)['customer'] as Record<string, unknown>;
    expect((entry['env'] as Record<string, string>)['DATABASE_URL']).toBe(databaseUrl);
    const client = await launchStdio(entry);
    expect((await client.listTools()).tools).toHaveLength(13);
    await client.close();
  });
});

describe('--out', () => {
  it('merges the entries into an existing file and keeps the other entries', async () => {
    const file = path.join(dataDir, 'cursor', 'mcp.json');
    await runCli(['--client', 'cursor', '--mode', 'router', '--transport', 'http', '--token', 'first', '--out', file]);
    const first = JSON.parse(await readFile(file, 'utf8')) as { mcpServers: Record<string, unknown> };
    await writeFile(file, JSON.stringify({ mcpServers: { ...first.mcpServers, other: { url: 'https://example.com/mcp' } }, extra: true }));
    const result = await runCli(['--client', 'cursor', '--mode', 'router', '--transport', 'http', '--token', 'second', '--out', file]);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(`wrote ${file}; cursor reads it from .cursor/mcp.json in the project`);
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({
      mcpServers: { mcpfed: { url: `http://127.0.0.1:${portBase}/mcp`, headers: { Authorization: 'Bearer second' } }, other: { url: 'https://example.com/mcp' } },
      extra: true,
    });
  });

  it('refuses unknown arguments with the usage and exit code 2', async () => {
    const result = await runCli(['--client', 'zed']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--client must be one of claude-desktop, claude-code, cursor, vscode');
  });
});
