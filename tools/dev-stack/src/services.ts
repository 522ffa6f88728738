import type { NameColor } from './log-format.ts';

/** What the dev stack provides to every service; the input of each service's environment builder. */
export interface StackEnvironment {
  /** Connection URL of each domain's database, keyed by domain (`customer`, `order`, ...). */
  readonly databaseUrls: Readonly<Record<string, string>>;
  /** Redis every service shares (REDIS_URL). */
  readonly redisUrl: string;
  /** Dev issuer URL (AUTH_ISSUER). */
  readonly issuerUrl: string;
  /** JWKS of the dev issuer (AUTH_JWKS_URL). */
  readonly jwksUrl: string;
  /** Audience the servers accept (AUTH_AUDIENCE). */
  readonly audience: string;
  /** pino level for every service (LOG_LEVEL). */
  readonly logLevel: string;
}

/** Setup commands a server app understands before `serve`. */
export type SetupCommand = 'migrate' | 'seed';

/** One process of the local federation. Adding a server to `npm start` is one entry in {@link SERVICES}. */
export interface ServiceDefinition {
  /** Short name: log prefix, client-config key and `claude mcp add` name, e.g. `customer`. */
  readonly name: string;
  /** Folder under `apps/`; the process runs `apps/<app>/src/main.ts`. */
  readonly app: string;
  /** Port it listens on (ARCHITECTURE §2). */
  readonly port: number;
  /**
   * Domain whose database it owns, if any: selects `DATABASE_URL_<DOMAIN>` when given, else the embedded
   * PostgreSQL database `mcpfed_<domain>`.
   */
  readonly database?: string;
  /** Commands run to completion, in order, before `serve` (each must exit 0). */
  readonly setup: readonly SetupCommand[];
  /** Colour of its log prefix. */
  readonly color: NameColor;
  /** The environment of every command of this service (added to the dev stack's own environment). */
  env(stack: StackEnvironment): Record<string, string>;
}

/** Base URL of a service on this machine. */
export function serviceUrl(service: Pick<ServiceDefinition, 'port'>): string {
  return `http://127.0.0.1:${service.port}`;
}

/** The Streamable HTTP endpoint of a service. */
export function mcpUrl(service: Pick<ServiceDefinition, 'port'>): string {
  return `${serviceUrl(service)}/mcp`;
}

/** The environment every server shares (ARCHITECTURE §2). */
export function commonServerEnv(service: Pick<ServiceDefinition, 'port'>, stack: StackEnvironment): Record<string, string> {
  return {
    HOST: '127.0.0.1',
    PORT: String(service.port),
    PUBLIC_URL: serviceUrl(service),
    REDIS_URL: stack.redisUrl,
    LOG_LEVEL: stack.logLevel,
    AUTH_ISSUER: stack.issuerUrl,
    AUTH_AUDIENCE: stack.audience,
    AUTH_JWKS_URL: stack.jwksUrl,
  };
}

/** The database URL of `domain`; throws when the stack has none (a registry entry without its database). */
export function databaseUrlOf(stack: StackEnvironment, domain: string): string {
  const url = stack.databaseUrls[domain];
  if (url === undefined) throw new Error(`no database for domain "${domain}"`);
  return url;
}

/** The database name the embedded PostgreSQL uses for a domain. */
export function databaseNameOf(domain: string): string {
  return `mcpfed_${domain}`;
}

/** The variable that points a domain at an existing database instead of the embedded one. */
export function databaseUrlVariableOf(domain: string): string {
  return `DATABASE_URL_${domain.toUpperCase()}`;
}

const CUSTOMER_PORT = 8081;

/** Password of the read-only SQL roles in the dev stack (a local throwaway cluster). */
export const DEV_SQL_READER_PASSWORD = 'mcpfed-dev-reader';

/**
 * Every process `npm start` runs, in start order (each is ready before the next starts). Later: order-server
 * (8082, with CUSTOMER_MCP_URL/PRODUCT_MCP_URL/PAYMENT_MCP_URL), product-server (8083), payment-server (8084),
 * then the router (8080) last, once its upstreams answer.
 */
export const SERVICES: readonly ServiceDefinition[] = Object.freeze([
  {
    name: 'customer',
    app: 'customer-server',
    port: CUSTOMER_PORT,
    database: 'customer',
    setup: ['migrate', 'seed'],
    color: 'cyan',
    env: (stack) => ({
      ...commonServerEnv({ port: CUSTOMER_PORT }, stack),
      DATABASE_URL: databaseUrlOf(stack, 'customer'),
      // migrate gives the read-only role of customer_query_sql this password and the server logs in with it
      // (the embedded PostgreSQL does not trust local connections).
      SQL_READER_PASSWORD: DEV_SQL_READER_PASSWORD,
    }),
  },
]);

/** The domains whose databases the registered services need. */
export function domainsOf(services: readonly ServiceDefinition[]): string[] {
  return [...new Set(services.flatMap((service) => (service.database === undefined ? [] : [service.database])))];
}
