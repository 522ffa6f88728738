import { startTestIssuer } from './test-issuer.ts';
import type { TestIssuer } from './test-issuer.ts';
import { testServiceUrl } from './test-service-url.ts';

const ROUTER_SECRET = 'test-only-router-secret';
const ORDER_SECRET = 'test-only-order-server-secret';
const ORDER_SERVICE_SCOPES = ['customer:read', 'customer:any', 'product:read', 'product:write', 'payment:read', 'payment:write', 'payment:refund'];
/** What the order server may add when it exchanges a caller's token (the checkout's steps; never customer:any). */
const ORDER_ACTOR_SCOPES = ['customer:read', 'product:read', 'product:write', 'payment:read', 'payment:write'];

/** Options of {@link startFederationIssuer}. */
export interface FederationIssuerOptions {
  /** Prefix of the temporary folder of the signing key, e.g. `mcpfed-federation-<name>-`. */
  readonly keyDirPrefix: string;
  /** The MCP URL (`<url>/mcp`, its audience) of the router and of each domain server. */
  readonly resource: (endpoint: 'router' | 'customer' | 'order' | 'product' | 'payment') => string;
  /** Every scope of the federation: the issuer advertises them and the router's service client may ask for them. */
  readonly scopes: readonly string[];
}

/** The dev provider of a federation, and what every process of it is started with. */
export interface FederationIssuer extends TestIssuer {
  /** Environment every server and router of the federation shares (the issuer, test-sized limits). */
  readonly commonEnv: Readonly<Record<string, string>>;
  /** `SERVICE_CLIENT_SECRET` of the router. */
  readonly routerSecret: string;
  /** `SERVICE_CLIENT_SECRET` of the order server. */
  readonly orderSecret: string;
}

/**
 * Starts the dev provider of a federation of the four domain servers and a router: the router's service client
 * exchanges callers' tokens for the domains; the order server's exchanges them for its checkout's calls.
 */
export async function startFederationIssuer(options: FederationIssuerOptions): Promise<FederationIssuer> {
  const { resource } = options;
  const testIssuer = await startTestIssuer({
    keyDirPrefix: options.keyDirPrefix,
    resources: (['customer', 'order', 'product', 'payment', 'router'] as const).map(resource),
    scopes: options.scopes,
    clients: [
      { id: 'router', secret: ROUTER_SECRET, scopes: options.scopes, exchangeAudiences: [resource('router')] },
      { id: 'order-server', secret: ORDER_SECRET, scopes: ORDER_SERVICE_SCOPES, exchangeAudiences: [resource('order')], actorScopes: ORDER_ACTOR_SCOPES },
    ],
  });
  return {
    ...testIssuer,
    commonEnv: {
      HOST: '127.0.0.1',
      REDIS_URL: testServiceUrl('redisUrl'),
      AUTH_ISSUER: testIssuer.url,
      LOG_LEVEL: 'warn',
      RATE_LIMIT_POINTS: '1000000000',
      SHUTDOWN_TIMEOUT_MS: '3000',
      // The PostgreSQL of the tests is shared by every test file running at once: keep this federation's share small.
      DB_POOL_MAX: '5',
    },
    routerSecret: ROUTER_SECRET,
    orderSecret: ORDER_SECRET,
  };
}
