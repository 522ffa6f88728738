import path from 'node:path';
import { createTestDatabase } from './create-test-database.ts';
import type { TestDatabase } from './create-test-database.ts';
import { randomKeyPrefix } from './factories.ts';
import { startFederationIssuer } from './federation-issuer.ts';
import { freePort, runToCompletion, spawnServer } from './spawn-server.ts';
import type { SpawnedServer } from './spawn-server.ts';
import { waitForRouterCatalog } from './wait-for-router-catalog.ts';

/** The repository root: apps run from there, as `npm start` runs them. */
const REPO_ROOT = path.resolve(import.meta.dirname, '..', '..', '..', '..');

/** The four domain servers, in ROUTER_UPSTREAMS order. */
export const FEDERATION_DOMAINS = ['customer', 'order', 'product', 'payment'] as const;
/** One of {@link FEDERATION_DOMAINS}, or the router. */
export type FederationEndpoint = (typeof FEDERATION_DOMAINS)[number] | 'router';

/** Options of {@link startFederationProcesses}. */
export interface FederationProcessesOptions {
  /** Short name for databases and logs (`[a-z]+`). */
  readonly name: string;
  /** Every scope of the federation: the issuer advertises them and the router's service client may ask for them. */
  readonly scopes: readonly string[];
}

/** The four domain servers and the router as processes (each as `npm start` runs it), with one dev issuer. */
export interface FederationProcesses {
  readonly servers: Readonly<Record<FederationEndpoint, SpawnedServer>>;
  /** Each endpoint's MCP URL, `<url>/mcp`: also the audience it alone accepts. */
  readonly endpoints: Readonly<Record<FederationEndpoint, string>>;
  /** A user token with `scopes` for `endpoint`'s audience (one hour), as the provider issues it. */
  token(endpoint: FederationEndpoint, scopes: readonly string[], subject?: string): Promise<string>;
  close(): Promise<void>;
}

/**
 * Starts {@link FederationProcesses}: an oidc-provider dev provider (router and order-server clients registered),
 * four migrated fresh databases, the four domain servers (the order server calling the other three) and one HTTP
 * router over them; resolves once the router has discovered every upstream.
 */
export async function startFederationProcesses(options: FederationProcessesOptions): Promise<FederationProcesses> {
  const closers: Array<() => Promise<void>> = [];
  const close = async (): Promise<void> => {
    for (const closer of closers.reverse()) await closer().catch(() => undefined);
  };
  try {
    // Every server accepts only its own audience, `<url>/mcp`: the ports come first.
    const ports = {} as Record<FederationEndpoint, number>;
    for (const endpoint of [...FEDERATION_DOMAINS, 'router' as const]) ports[endpoint] = await freePort();
    const resource = (endpoint: FederationEndpoint) => `http://127.0.0.1:${ports[endpoint]}/mcp`;
    const federationIssuer = await startFederationIssuer({ keyDirPrefix: `mcpfed-federation-${options.name}-`, resource, scopes: options.scopes });
    closers.push(() => federationIssuer.close());
    const { issuer, commonEnv: common } = federationIssuer;
    const prefix = (what: string) => randomKeyPrefix(`${options.name}-${what}`).replace(/:$/, '');
    const events = prefix('events');
    const envs = {} as Record<FederationEndpoint, Record<string, string>>;
    for (const domain of FEDERATION_DOMAINS) {
      const database: TestDatabase<unknown> = await createTestDatabase<unknown>({ name: `fed${options.name}_${domain.slice(0, 3)}`, migrations: {} });
      closers.push(() => database.drop());
      envs[domain] = { ...common, AUTH_AUDIENCE: resource(domain), DATABASE_URL: database.url, QUEUE_PREFIX: prefix(domain), ORDER_EVENTS_PREFIX: events };
    }
    Object.assign(envs.order, {
      SERVICE_CLIENT_SECRET: federationIssuer.orderSecret,
      CUSTOMER_MCP_URL: resource('customer'),
      PRODUCT_MCP_URL: resource('product'),
      PAYMENT_MCP_URL: resource('payment'),
    });
    const main = (endpoint: FederationEndpoint) => (endpoint === 'router' ? 'apps/router/src/main.ts' : `apps/${endpoint}-server/src/main.ts`);
    await Promise.all(
      FEDERATION_DOMAINS.map((domain) =>
        runToCompletion({ name: `${options.name}-${domain}-migrate`, args: [main(domain), 'migrate'], env: envs[domain], cwd: REPO_ROOT }),
      ),
    );
    const servers = {} as Record<FederationEndpoint, SpawnedServer>;
    const serve = async (endpoint: FederationEndpoint) => {
      const server = await spawnServer({
        name: `${options.name}-${endpoint}`,
        args: [main(endpoint), 'serve'],
        env: envs[endpoint],
        cwd: REPO_ROOT,
        port: ports[endpoint],
      });
      servers[endpoint] = server;
      closers.push(() => server.stop(5000));
    };
    // Settled, not raced: every server that started is in `closers` before a failure is thrown.
    const started = await Promise.allSettled(FEDERATION_DOMAINS.map(serve));
    for (const result of started) if (result.status === 'rejected') throw result.reason;
    const upstreams = JSON.stringify({ upstreams: FEDERATION_DOMAINS.map((domain) => ({ name: domain, url: resource(domain) })) });
    envs.router = {
      ...common,
      AUTH_AUDIENCE: resource('router'),
      ROUTER_UPSTREAMS: upstreams,
      SERVICE_CLIENT_SECRET: federationIssuer.routerSecret,
      ROUTER_PROBE_INTERVAL_MS: '200',
    };
    await serve('router');
    await waitForRouterCatalog(servers.router.url);
    const endpoints = {} as Record<FederationEndpoint, string>;
    for (const endpoint of [...FEDERATION_DOMAINS, 'router' as const]) endpoints[endpoint] = resource(endpoint);
    return {
      servers,
      endpoints,
      token: (endpoint, scopes, subject = 'federation-tester') =>
        issuer.mint({ subject, scopes: [...scopes], audience: resource(endpoint), clientId: 'test-agent', ttlSeconds: 3600 }),
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
