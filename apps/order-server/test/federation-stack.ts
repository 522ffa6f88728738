import { mkdtempSync } from 'node:fs';
import type { Server } from 'node:http';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadOrCreateDevIssuer } from '@mcpfed/auth';
import type { DevIssuer } from '@mcpfed/auth';
import { createDevProvider } from '@mcpfed/auth/dev-provider';
import { customerCreate } from '@mcpfed/contract-customer';
import { inventoryAdjust, productCreate } from '@mcpfed/contract-product';
import { createDatabase } from '@mcpfed/db';
import type { Database } from '@mcpfed/db';
import { createFederationClient } from '@mcpfed/federation';
import type { FederationClient } from '@mcpfed/federation';
import { createLogger } from '@mcpfed/telemetry';
import { createTestDatabase, freePort, idempotencyKey, randomKeyPrefix, runToCompletion, spawnServer, testServiceUrl } from '@mcpfed/testing';
import type { SpawnedServer, TestDatabase } from '@mcpfed/testing';
import type { OrderDatabase } from '../src/store/order-database.ts';

/** The repository root (the servers run from there, as `npm start` runs them). */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

const SERVICE_SECRET = 'test-only-order-server-secret';
/** What the order server's client may ask for its own work (sweeper, compensation after a caller's token lapsed). */
const ORDER_SERVICE_SCOPES = ['customer:read', 'customer:any', 'product:read', 'product:write', 'payment:read', 'payment:write', 'payment:refund'];
/**
 * What the order server may add when it exchanges a caller's token: the steps of the caller's checkout, cancel and
 * refund (never `customer:any`: the caller's own reach and binding stay).
 */
export const ORDER_ACTOR_SCOPES = ['customer:read', 'product:read', 'product:write', 'payment:read', 'payment:write'];
/** The router's client secret at the stack's provider (client `router` may exchange tokens for the router's audience). */
export const ROUTER_SECRET = 'test-only-router-secret-0123456789';

/** The domain servers of the stack. */
export type StackServer = 'customer' | 'product' | 'payment' | 'order';

/**
 * How the identity provider and the servers' audiences are set up. Two independent profiles prove nothing depends on
 * the development defaults: the issuer's URL and path, its key, the client ids and the resource identifiers differ.
 */
export interface IdentityProfile {
  readonly name: string;
  /** Path of the issuer under the provider's origin (`''` for the origin itself, `/realms/shop` for a realm). */
  readonly issuerPath: string;
  /** The order server's client id (its `sub` and `act.sub`). */
  readonly orderClientId: string;
  /** The router's client id. */
  readonly routerClientId: string;
  /** The resource identifier (AUTH_AUDIENCE) of a server, given its base URL and name (`router` included). */
  resourceOf(base: string, name: StackServer | 'router'): string;
}

/** The development conventions: issuer at the origin, clients `order-server` and `router`, audiences `<url>/mcp`. */
export const DEV_PROFILE: IdentityProfile = {
  name: 'dev provider',
  issuerPath: '',
  orderClientId: 'order-server',
  routerClientId: 'router',
  resourceOf: (base) => `${base}/mcp`,
};

/** A second, independently configured provider: a realm path, other client ids, other resource identifiers. */
export const SECOND_PROFILE: IdentityProfile = {
  name: 'second provider',
  issuerPath: '/realms/acme-shop',
  orderClientId: 'acme-checkout-svc',
  routerClientId: 'acme-gateway',
  resourceOf: (base, name) => `${base}/api/${name}`,
};
/** Every scope the test issuer grants. */
export const ALL_TEST_SCOPES = [
  'customer:read',
  'customer:write',
  'customer:any',
  'order:read',
  'order:write',
  'product:read',
  'product:write',
  'payment:read',
  'payment:write',
  'payment:refund',
  'sql:read',
];

/** Options of {@link startFederationStack}. */
export interface FederationStackOptions {
  /** Label of the databases and logs, e.g. `checkout`. */
  label: string;
  /** Extra environment of the order server (saga timings, a private Redis). */
  orderEnv?: Record<string, string>;
  /** Extra environment of the payment server. */
  paymentEnv?: Record<string, string>;
  /** Extra environment of the product server. */
  productEnv?: Record<string, string>;
  /** Where the order server reaches the payment server, given its URL (e.g. through a fault-injecting proxy). Default: directly. */
  paymentUrlForOrder?: string;
  /** The Redis of every server (e.g. a private one the test flushes). Default: the shared test Redis. */
  redisUrl?: string;
  /** The identity provider's set-up. Default {@link DEV_PROFILE}. */
  profile?: IdentityProfile;
  /** Also run the router in front of the four servers (exchanging callers' tokens). Default false. */
  withRouter?: boolean;
}

/**
 * Four real server processes, their databases and an oidc-provider dev provider with the order server's and the
 * router's clients registered; every server accepts only its own audience.
 */
export interface FederationStack {
  /** The provider's signing key and issuer identifier: mints tokens as the provider would issue them. */
  readonly issuer: DevIssuer;
  readonly profile: IdentityProfile;
  /** The provider's token endpoint. */
  readonly tokenUrl: string;
  /** The resource identifier a server accepts (its AUTH_AUDIENCE); `router` names the router's, for its tokens. */
  audience(server: StackServer | 'router'): string;
  /**
   * A user's access token as the provider issues it: for `audience` (a server or the router), with `scopes`, bound
   * to `customerId` when given, issued to `clientId` (default an agent's client), with `actors` as its act chain.
   */
  token(options: {
    audience: StackServer | 'router';
    scopes: readonly string[];
    subject?: string;
    customerId?: string;
    actors?: readonly string[];
    clientId?: string;
    ttlSeconds?: number;
  }): Promise<string>;
  readonly customer: SpawnedServer;
  readonly product: SpawnedServer;
  readonly payment: SpawnedServer;
  readonly order: SpawnedServer;
  /**
   * Starts one more order server process on the same database, Redis and settings (another replica behind the same
   * public identity: it accepts the order server's audience); stopped with the stack.
   */
  orderReplica(): Promise<SpawnedServer>;
  /** The router, when asked for (`withRouter`). */
  readonly router: SpawnedServer | undefined;
  /** Superuser access to each database, for assertions. */
  readonly orderDb: TestDatabase<OrderDatabase>;
  readonly productDb: TestDatabase<unknown>;
  readonly paymentDb: TestDatabase<unknown>;
  readonly customerDb: TestDatabase<unknown>;
  /** A client of one server as a user with every scope (the real federation client over HTTP, no retries). */
  client(server: 'customer' | 'product' | 'payment' | 'order', subject?: string): FederationClient;
  /**
   * The MCP SDK client of one server for a user with exactly `scopes` (closed with the stack); with `customerId`
   * the token is bound to that customer (its `customer_id` claim).
   */
  mcp(server: 'customer' | 'product' | 'payment' | 'order', scopes: readonly string[], subject?: string, customerId?: string): Promise<Client>;
  /** A customer with a default shipping address; returns its id. */
  createCustomer(): Promise<string>;
  /** An active product priced `price` EUR minor units with `stock` units at BER-1. */
  createProduct(sku: string, price: number, stock: number): Promise<void>;
  close(): Promise<void>;
}

/** Starts the stack; call `close()` in `afterAll`. */
export async function startFederationStack(options: FederationStackOptions): Promise<FederationStack> {
  const closers: Array<() => Promise<void>> = [];
  try {
    return await startStack(options, closers);
  } catch (error) {
    // A server that failed to start must not leave the others running (and their databases behind).
    for (const close of closers.reverse()) await close().catch(() => undefined);
    throw error;
  }
}

async function startStack(options: FederationStackOptions, closers: Array<() => Promise<void>>): Promise<FederationStack> {
  const redisUrl = options.redisUrl ?? testServiceUrl('redisUrl');
  const profile = options.profile ?? DEV_PROFILE;
  const issuerPort = await freePort();
  const issuerUrl = `http://127.0.0.1:${issuerPort}${profile.issuerPath}`;
  // A fresh key per stack: the two profiles never share one.
  const issuer = await loadOrCreateDevIssuer({ dir: mkdtempSync(path.join(tmpdir(), 'mcpfed-issuer-')), issuerUrl });
  // Every server's port first: its audience names it, and the provider issues tokens for exactly these resources.
  const ports = { customer: await freePort(), product: await freePort(), payment: await freePort(), order: await freePort(), router: await freePort() };
  const baseOf = (name: keyof typeof ports) => `http://127.0.0.1:${ports[name]}`;
  const audience = (name: StackServer | 'router') => profile.resourceOf(baseOf(name), name);
  const { server: issuerServer }: { server: Server } = createDevProvider({
    issuer,
    resources: (['customer', 'product', 'payment', 'order', 'router'] as const).map(audience),
    scopes: ALL_TEST_SCOPES,
    clients: [
      {
        id: profile.orderClientId,
        secret: SERVICE_SECRET,
        scopes: ORDER_SERVICE_SCOPES,
        exchangeAudiences: [audience('order')],
        actorScopes: ORDER_ACTOR_SCOPES,
      },
      { id: profile.routerClientId, secret: ROUTER_SECRET, scopes: ALL_TEST_SCOPES, exchangeAudiences: [audience('router')] },
    ],
  });
  await new Promise<void>((resolve) => issuerServer.listen(issuerPort, '127.0.0.1', resolve));
  closers.push(async () => {
    issuerServer.closeAllConnections();
    await new Promise<void>((resolve) => issuerServer.close(() => resolve()));
  });

  const database = async <DB>(name: string): Promise<TestDatabase<DB>> => {
    const db = await createTestDatabase<DB>({ name: `${name}_${options.label}`.slice(0, 30), migrations: {} });
    closers.push(() => db.drop());
    return db;
  };
  const [customerDb, productDb, paymentDb, orderDb] = await Promise.all([
    database<unknown>('cus'),
    database<unknown>('prd'),
    database<unknown>('pay'),
    database<OrderDatabase>('ord'),
  ]);
  const common = {
    HOST: '127.0.0.1',
    REDIS_URL: redisUrl,
    // Found by discovery under the issuer's path: nothing in the servers assumes the dev provider's layout.
    AUTH_ISSUER: issuerUrl,
    LOG_LEVEL: 'warn',
    // One test principal and one service principal make every call: keep the limiter out of the way.
    RATE_LIMIT_POINTS: '1000000000',
    SHUTDOWN_TIMEOUT_MS: '3000',
  };
  const eventsPrefix = randomKeyPrefix(`events-${options.label}`).replace(/:$/, '');
  const envs = {
    customer: { ...common, AUTH_AUDIENCE: audience('customer'), DATABASE_URL: customerDb.url, ORDER_EVENTS_PREFIX: eventsPrefix },
    product: {
      ...common,
      AUTH_AUDIENCE: audience('product'),
      DATABASE_URL: productDb.url,
      QUEUE_PREFIX: randomKeyPrefix(`product-${options.label}`).replace(/:$/, ''),
      ...options.productEnv,
    },
    payment: {
      ...common,
      AUTH_AUDIENCE: audience('payment'),
      DATABASE_URL: paymentDb.url,
      QUEUE_PREFIX: randomKeyPrefix(`payment-${options.label}`).replace(/:$/, ''),
      PAYMENT_DAILY_AUTHORIZATION_LIMIT_MINOR: '1000000000000',
      PAYMENT_DAILY_REFUND_LIMIT_MINOR: '1000000000000',
      PAYMENT_OPERATION_LEASE_MS: '2000',
      // Refunds by customer-bound callers without a person at hand; approval-flow.int.test.ts turns it on.
      PAYMENT_REFUND_CONFIRM_THRESHOLD_MINOR: '1000000000000',
      // The order server of this profile gives back its failed checkouts' captures with its own token.
      REFUND_APPROVAL_EXEMPT_CLIENTS: profile.orderClientId,
      ...options.paymentEnv,
    },
  };
  await Promise.all(
    (['customer', 'product', 'payment'] as const).map((name) =>
      runToCompletion({ name: `${name}-migrate-${options.label}`, args: [`apps/${name}-server/src/main.ts`, 'migrate'], env: envs[name], cwd: REPO_ROOT }),
    ),
  );
  const serve = async (name: string, env: Record<string, string>): Promise<SpawnedServer> => {
    const server = await spawnServer({
      name: `${name}-${options.label}`,
      args: [`apps/${name}-server/src/main.ts`, 'serve'],
      env,
      cwd: REPO_ROOT,
      port: ports[name as StackServer],
    });
    closers.push(() => server.stop(5_000));
    return server;
  };
  const [customer, product, payment] = await Promise.all([serve('customer', envs.customer), serve('product', envs.product), serve('payment', envs.payment)]);
  const orderEnv = {
    ...common,
    AUTH_AUDIENCE: audience('order'),
    DATABASE_URL: orderDb.url,
    CUSTOMER_MCP_URL: `${customer.url}/mcp`,
    PRODUCT_MCP_URL: `${product.url}/mcp`,
    PAYMENT_MCP_URL: options.paymentUrlForOrder ?? `${payment.url}/mcp`,
    CUSTOMER_MCP_AUDIENCE: audience('customer'),
    PRODUCT_MCP_AUDIENCE: audience('product'),
    PAYMENT_MCP_AUDIENCE: audience('payment'),
    SERVICE_CLIENT_ID: profile.orderClientId,
    SERVICE_CLIENT_SECRET: SERVICE_SECRET,
    QUEUE_PREFIX: randomKeyPrefix(`order-${options.label}`).replace(/:$/, ''),
    ORDER_EVENTS_PREFIX: eventsPrefix,
    DB_POOL_MAX: '20',
    // Checkout tests run customer-bound callers without a person at hand; approval-flow.int.test.ts turns it on.
    ORDER_APPROVAL_THRESHOLD_MINOR: '1000000000000',
    ...options.orderEnv,
  };
  await runToCompletion({ name: `order-migrate-${options.label}`, args: ['apps/order-server/src/main.ts', 'migrate'], env: orderEnv, cwd: REPO_ROOT });
  const order = await serve('order', orderEnv);
  const servers0 = { customer, product, payment, order };

  let router: SpawnedServer | undefined;
  if (options.withRouter === true) {
    const upstreams = (['customer', 'product', 'payment', 'order'] as const).map((name) => ({
      name,
      url: `${servers0[name].url}/mcp`,
      resource: audience(name),
    }));
    router = await spawnServer({
      name: `router-${options.label}`,
      args: ['apps/router/src/main.ts', 'serve'],
      env: {
        ...common,
        AUTH_AUDIENCE: audience('router'),
        ROUTER_UPSTREAMS: JSON.stringify({ upstreams }),
        SERVICE_CLIENT_ID: profile.routerClientId,
        SERVICE_CLIENT_SECRET: ROUTER_SECRET,
        SERVICE_SCOPES: ALL_TEST_SCOPES.join(' '),
        ROUTER_PROBE_INTERVAL_MS: '200',
      },
      cwd: REPO_ROOT,
      port: ports.router,
    });
    const spawned = router;
    closers.push(() => spawned.stop(5_000));
    // /readyz is 200 once one upstream is available; the tests want the whole catalog.
    const until = Date.now() + 30_000;
    for (;;) {
      const status = (await (await fetch(`${spawned.url}/status`)).json()) as { status: string };
      if (status.status === 'ok') break;
      if (Date.now() > until) throw new Error(`the router did not discover every upstream within 30 s: ${JSON.stringify(status)}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  const logger = createLogger({ name: 'test-client', level: 'error' });
  const clients = new Map<string, FederationClient>();
  const servers = { customer, product, payment, order };
  const token: FederationStack['token'] = (request) =>
    issuer.mint({
      subject: request.subject ?? 'test-user',
      scopes: [...request.scopes],
      audience: audience(request.audience),
      ttlSeconds: request.ttlSeconds ?? 3600,
      clientId: request.clientId ?? 'test-agent',
      ...(request.customerId === undefined ? {} : { customerId: request.customerId }),
      ...(request.actors === undefined ? {} : { actors: request.actors }),
    });
  const client = (name: keyof typeof servers, subject = 'test-user'): FederationClient => {
    const key = `${name}|${subject}`;
    let existing = clients.get(key);
    if (existing === undefined) {
      let minted: Promise<string> | undefined;
      existing = createFederationClient({
        name,
        url: `${servers[name].url}/mcp`,
        tokens: { token: () => (minted ??= token({ audience: name, scopes: ALL_TEST_SCOPES, subject })) },
        logger,
        retry: false,
        timeoutMs: 30_000,
        concurrency: 256,
        breaker: { consecutiveFailures: 1_000_000 },
      });
      clients.set(key, existing);
    }
    return existing;
  };
  closers.push(async () => void (await Promise.all([...clients.values()].map((c) => c.close()))));
  const mcpClients: Client[] = [];
  closers.push(async () => void (await Promise.all(mcpClients.map((c) => c.close()))));
  const mcp = async (name: keyof typeof servers, scopes: readonly string[], subject = 'test-user', customerId?: string): Promise<Client> => {
    const bearer = await token({ audience: name, scopes, subject, ...(customerId === undefined ? {} : { customerId }) });
    const sdk = new Client({ name: `order-test-${name}`, version: '0.0.0' });
    await sdk.connect(
      new StreamableHTTPClientTransport(new URL(`${servers[name].url}/mcp`), { requestInit: { headers: { authorization: `Bearer ${bearer}` } } }),
    );
    mcpClients.push(sdk);
    return sdk;
  };

  return {
    issuer,
    profile,
    tokenUrl: `${issuerUrl}/token`,
    audience,
    token,
    customer,
    product,
    payment,
    order,
    async orderReplica() {
      const replica = await spawnServer({
        name: `order-replica-${options.label}`,
        args: ['apps/order-server/src/main.ts', 'serve'],
        env: orderEnv,
        cwd: REPO_ROOT,
        port: await freePort(),
      });
      closers.push(() => replica.stop(5_000));
      return replica;
    },
    router,
    orderDb,
    productDb,
    paymentDb,
    customerDb,
    client,
    mcp,
    async createCustomer() {
      const created = await client('customer').call(customerCreate, {
        email: `${idempotencyKey()}@example.com`,
        first_name: 'Test',
        last_name: 'Buyer',
        addresses: [{ kind: 'shipping', line1: 'Hauptstr. 1', city: 'Berlin', postal_code: '10115', country: 'DE' }],
      });
      return created.customer.id;
    },
    async createProduct(sku, price, stock) {
      await client('product').call(productCreate, { sku, name: `Test product ${sku}`, category: 'test-goods', price: { amount: price, currency: 'EUR' } });
      if (stock > 0) {
        await client('product').call(inventoryAdjust, { sku, location: 'BER-1', delta: stock, reason: 'received', idempotency_key: idempotencyKey() });
      }
    },
    async close() {
      for (const close of closers.reverse()) await close().catch(() => undefined);
    },
  };
}

/** A pool on a test database for raw assertions (closed by the caller). */
export function rawPool(url: string): Database<unknown> {
  return createDatabase({ connectionString: url, applicationName: 'order-test-assert', max: 2 });
}

/** An order_place answer that placed an order (not one waiting for approval); throws otherwise. */
export function placedOrder<T extends { order?: unknown }>(answer: T): T & { order: NonNullable<T['order']> } {
  if (answer.order === undefined || answer.order === null) throw new Error(`order_place placed nothing: ${JSON.stringify(answer)}`);
  return answer as T & { order: NonNullable<T['order']> };
}
