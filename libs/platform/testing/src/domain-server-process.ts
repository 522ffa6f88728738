import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { sql } from '@mcpfed/db';
import { createTestDatabase } from './create-test-database.ts';
import type { TestDatabase } from './create-test-database.ts';
import { randomKeyPrefix } from './factories.ts';
import { freePort, runToCompletion, spawnServer } from './spawn-server.ts';
import type { SpawnedServer } from './spawn-server.ts';
import { startTestIssuer } from './test-issuer.ts';
import { testServiceUrl } from './test-service-url.ts';

/** The repository root: apps run from there, as `npm start` runs them. */
const REPO_ROOT = path.resolve(import.meta.dirname, '..', '..', '..', '..');

/** The OAuth client the order server's service token comes from, registered with the harness's issuer. */
const SERVICE_CLIENT = { id: 'order-server', secret: 'test-only-service-client-secret' };

/** Options of {@link startDomainServerProcess}. */
export interface DomainServerProcessOptions {
  /** The app folder, e.g. `payment-server`. */
  readonly app: string;
  /** Short label of the database and logs, e.g. `paycrash`. */
  readonly label: string;
  /** Commands run to completion before `serve`. Default `['migrate']`. */
  readonly setup?: readonly string[];
  /** Extra environment of every command and of the server. */
  readonly env?: Readonly<Record<string, string>>;
  /** Every scope a token or a stdio process may be given (the issuer advertises them). */
  readonly scopes: readonly string[];
}

/** The customer a test caller is bound to. */
export interface CustomerBinding {
  readonly customerId?: string;
}

/** One domain server app as its operator runs it: migrated, served over HTTP, with a dev issuer for its tokens. */
export interface DomainServerProcess {
  readonly server: SpawnedServer;
  /** The app's database, as the superuser (for assertions). */
  readonly database: TestDatabase<unknown>;
  /** A bearer token for the server with exactly `scopes` (bound by its `customer_id` claim when `binding` names one). */
  token(scopes: readonly string[], subject?: string, binding?: CustomerBinding): Promise<string>;
  /** A real SDK client over Streamable HTTP with a token of exactly `scopes` (bound to `binding.customerId`, if given). */
  httpClient(scopes: readonly string[], subject?: string, binding?: CustomerBinding): Promise<Client>;
  /**
   * A real SDK client of a new `serve --stdio` process of the app, with `STDIO_SCOPES` = `scopes` (and
   * `STDIO_CUSTOMER_ID` = `binding.customerId`, if given).
   */
  stdioClient(scopes: readonly string[], principal?: string, binding?: CustomerBinding): Promise<Client>;
  /** Rows per table of the app's database (every schema), without the audit log: what a call may not change. */
  rowCounts(): Promise<Record<string, number>>;
  close(): Promise<void>;
}

/**
 * Starts one domain server app as a real process (`migrate`, then `serve` on a free port) on a fresh database, with
 * an oidc-provider dev provider of its own (the order server's service client registered; the server accepts only
 * its own audience, `<url>/mcp`) and Redis key prefixes of its own.
 * Upstream MCP URLs point at a closed port, so an order server calling out fails fast and reachably.
 */
export async function startDomainServerProcess(options: DomainServerProcessOptions): Promise<DomainServerProcess> {
  const closers: Array<() => Promise<void>> = [];
  const close = async (): Promise<void> => {
    for (const closer of closers.reverse()) await closer().catch(() => undefined);
  };
  try {
    // The server accepts only its own audience, `<url>/mcp`: its port comes first.
    const port = await freePort();
    const audience = `http://127.0.0.1:${port}/mcp`;
    const nowhere = `http://127.0.0.1:${await freePort()}/mcp`;
    const {
      issuer,
      url: issuerUrl,
      close: closeIssuer,
    } = await startTestIssuer({
      keyDirPrefix: 'mcpfed-issuer-',
      resources: [audience, nowhere],
      scopes: options.scopes,
      clients: [
        {
          ...SERVICE_CLIENT,
          scopes: [...options.scopes],
          // An order server under test exchanges its callers' tokens (for upstreams that are not there).
          exchangeAudiences: [audience],
          actorScopes: options.scopes.filter((scope) => scope !== 'customer:any'),
        },
      ],
    });
    closers.push(closeIssuer);
    const database = await createTestDatabase<unknown>({ name: options.label.slice(0, 24), migrations: {} });
    closers.push(() => database.drop());
    const env: Record<string, string> = {
      MCPFED_ENV: 'development',
      HOST: '127.0.0.1',
      DATABASE_URL: database.url,
      REDIS_URL: testServiceUrl('redisUrl'),
      AUTH_ISSUER: issuerUrl,
      AUTH_AUDIENCE: audience,
      LOG_LEVEL: 'warn',
      RATE_LIMIT_POINTS: '1000000000',
      SHUTDOWN_TIMEOUT_MS: '3000',
      QUEUE_PREFIX: randomKeyPrefix(`${options.label}-queue`).replace(/:$/, ''),
      ORDER_EVENTS_PREFIX: randomKeyPrefix(`${options.label}-events`).replace(/:$/, ''),
      CUSTOMER_MCP_URL: nowhere,
      PRODUCT_MCP_URL: nowhere,
      PAYMENT_MCP_URL: nowhere,
      SERVICE_CLIENT_ID: SERVICE_CLIENT.id,
      SERVICE_CLIENT_SECRET: SERVICE_CLIENT.secret,
      ...options.env,
    };
    const main = `apps/${options.app}/src/main.ts`;
    for (const command of options.setup ?? ['migrate']) {
      await runToCompletion({ name: `${options.label}-${command}`, args: [main, command], env, cwd: REPO_ROOT });
    }
    const server = await spawnServer({ name: options.label, args: [main, 'serve'], env, cwd: REPO_ROOT, port });
    closers.push(() => server.stop(5000));
    const token = (scopes: readonly string[], subject = 'trust-tester', binding: CustomerBinding = {}) =>
      issuer.mint({
        subject,
        scopes: [...scopes],
        audience,
        clientId: 'test-agent',
        ...(binding.customerId === undefined ? {} : { customerId: binding.customerId }),
      });
    const connect = async (client: Client, transport: StdioClientTransport | StreamableHTTPClientTransport): Promise<Client> => {
      await client.connect(transport);
      closers.push(() => client.close());
      return client;
    };
    return {
      server,
      database,
      token,
      async httpClient(scopes, subject, binding) {
        const bearer = await token(scopes, subject, binding);
        const transport = new StreamableHTTPClientTransport(new URL(`${server.url}/mcp`), { requestInit: { headers: { authorization: `Bearer ${bearer}` } } });
        return connect(new Client({ name: 'trust-test-http', version: '0.0.0' }), transport);
      },
      async stdioClient(scopes, principal = 'trust-tester', binding = {}) {
        // An empty STDIO_SCOPES grants every scope: a caller with none gets a scope no tool asks for.
        const granted = scopes.length > 0 ? scopes.join(' ') : 'stdio:none';
        const transport = new StdioClientTransport({
          command: process.execPath,
          args: [path.join(REPO_ROOT, main), 'serve', '--stdio'],
          env: {
            ...env,
            PATH: process.env['PATH'] ?? '',
            STDIO_SCOPES: granted,
            STDIO_PRINCIPAL: principal,
            ...(binding.customerId === undefined ? {} : { STDIO_CUSTOMER_ID: binding.customerId }),
          },
          cwd: REPO_ROOT,
          stderr: 'ignore',
        });
        return connect(new Client({ name: 'trust-test-stdio', version: '0.0.0' }), transport);
      },
      async rowCounts() {
        const { rows: tables } = await sql<{ schema: string; name: string }>`
          SELECT table_schema AS schema, table_name AS name FROM information_schema.tables
          WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema') AND table_name <> 'mcp_audit_log'
          ORDER BY 1, 2`.execute(database.db);
        const counts: Record<string, number> = {};
        for (const { schema, name } of tables) {
          const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM ${sql.id(schema, name)}`.execute(database.db);
          counts[`${schema}.${name}`] = rows[0]?.n ?? 0;
        }
        return counts;
      },
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
