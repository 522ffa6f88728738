/**
 * The processes of `npm start` and the ports they listen on.
 *
 * Ports: every listener of the stack sits at a fixed offset from one port base, `MCPFED_PORT_BASE` (default
 * 8080): router +0 (8080), customer +1 (8081), order +2 (8082), product +3 (8083), payment +4 (8084) and the dev
 * provider +10 (8090). Set it to move the whole stack, e.g. `MCPFED_PORT_BASE=9080 npm start` when something else
 * holds 8081, or to run a second stack (tests, a second checkout) beside the first; pass the same value to
 * `npm run token`, which asks that stack's provider. The embedded PostgreSQL (54320) and a spawned redis-server
 * (6380) do not move with it.
 */
import type { NameColor } from './log-format.ts';
import { DEV_APPROVAL_CLIENTS, DEV_SERVICE_CLIENTS } from './service-clients.ts';
import type { DevApprovalClientId } from './service-clients.ts';

/** What the dev stack provides to every service; the input of each service's environment builder. */
export interface StackEnvironment {
  /** Connection URL of each domain's database, keyed by domain (`customer`, `order`, ...). */
  readonly databaseUrls: Readonly<Record<string, string>>;
  /** Redis every service shares (REDIS_URL). */
  readonly redisUrl: string;
  /** Issuer URL of the dev provider (AUTH_ISSUER); the servers find its JWKS and token endpoint by discovery. */
  readonly issuerUrl: string;
  /** An explicit JWKS URL (AUTH_JWKS_URL), overriding discovery. Default none. */
  readonly jwksUrl?: string;
  /**
   * One audience every server accepts (AUTH_AUDIENCE), for setups whose tokens name a shared audience (benches).
   * Default: each server's own resource, `<PUBLIC_URL>/mcp`, so a token works only at the server it names.
   */
  readonly audience?: string;
  /** pino level for every service (LOG_LEVEL). */
  readonly logLevel: string;
}

/** Setup commands a server app understands before `serve`. */
export type SetupCommand = 'migrate' | 'seed';

/** One process of the local federation. Adding a server to `npm start` is one entry in {@link defineServices}. */
export interface ServiceDefinition {
  /** Short name: log prefix, client-config key and `claude mcp add` name, e.g. `customer`. */
  readonly name: string;
  /** Folder under `apps/`; the process runs `apps/<app>/src/main.ts`. */
  readonly app: string;
  /** Port it listens on: the port base (`MCPFED_PORT_BASE`, default 8080) plus its offset (docs/architecture.md §2). */
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

/** The environment every server shares (docs/architecture.md §2). */
export function commonServerEnv(service: Pick<ServiceDefinition, 'port'>, stack: StackEnvironment): Record<string, string> {
  return {
    // The dev stack is development: secrets take their development-only values (see MCPFED_ENV).
    MCPFED_ENV: 'development',
    HOST: '127.0.0.1',
    PORT: String(service.port),
    PUBLIC_URL: serviceUrl(service),
    REDIS_URL: stack.redisUrl,
    LOG_LEVEL: stack.logLevel,
    AUTH_ISSUER: stack.issuerUrl,
    AUTH_AUDIENCE: stack.audience ?? resourceOf(service),
    ...(stack.jwksUrl === undefined ? {} : { AUTH_JWKS_URL: stack.jwksUrl }),
  };
}

/** The resource identifier of a server (RFC 8707 / RFC 9728): its MCP endpoint, `<PUBLIC_URL>/mcp`. */
export function resourceOf(service: Pick<ServiceDefinition, 'port'>): string {
  return mcpUrl(service);
}

/**
 * The client of a server's approval page (APPROVAL_CLIENT_ID, APPROVAL_CLIENT_SECRET), registered at the dev
 * provider with `<PUBLIC_URL>/approvals/callback`. A server that has no approval page yet ignores them (the config
 * schemas drop settings they do not know).
 */
function approvalClientEnv(id: DevApprovalClientId): Record<string, string> {
  return { APPROVAL_CLIENT_ID: DEV_APPROVAL_CLIENTS[id].id, APPROVAL_CLIENT_SECRET: DEV_APPROVAL_CLIENTS[id].secret };
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

/** The variable that moves every port of the stack (see the top of this file). */
export const PORT_BASE_VARIABLE = 'MCPFED_PORT_BASE';

/** Port base when `MCPFED_PORT_BASE` is unset or empty: the ports of docs/architecture.md §2. */
export const DEFAULT_PORT_BASE = 8080;

/** Offset of each listener of the stack from the port base. */
export const PORT_OFFSETS = Object.freeze({ router: 0, customer: 1, order: 2, product: 3, payment: 4, devIssuer: 10 } as const);

/** The port of each listener of the stack (TCP ports on 127.0.0.1). */
export type StackPorts = { readonly [K in keyof typeof PORT_OFFSETS]: number };

const MIN_PORT_BASE = 1024;
const MAX_PORT_BASE = 65535 - Math.max(...Object.values(PORT_OFFSETS));

/** The outcome of {@link parsePortBase}: a base, or a message naming the variable and what it takes. */
export type PortBaseSetting = { readonly ok: true; readonly base: number } | { readonly ok: false; readonly message: string };

/**
 * Reads a `MCPFED_PORT_BASE` value: unset or empty gives {@link DEFAULT_PORT_BASE}; otherwise a whole number from
 * 1024 to 65525 (so that base + 10 is still a port). Never throws.
 */
export function parsePortBase(value: string | undefined): PortBaseSetting {
  if (value === undefined || value.trim() === '') return { ok: true, base: DEFAULT_PORT_BASE };
  const text = value.trim();
  const base = Number(text);
  if (!/^\d+$/.test(text) || base < MIN_PORT_BASE || base > MAX_PORT_BASE) {
    return {
      ok: false,
      message: `${PORT_BASE_VARIABLE} must be a whole number from ${MIN_PORT_BASE} to ${MAX_PORT_BASE}, got "${value}" (unset it for the default ${DEFAULT_PORT_BASE}).`,
    };
  }
  return { ok: true, base };
}

/** The ports of a stack on `base` (router base+0, customer +1, order +2, product +3, payment +4, dev issuer +10). */
export function stackPorts(base: number): StackPorts {
  return Object.freeze({
    router: base + PORT_OFFSETS.router,
    customer: base + PORT_OFFSETS.customer,
    order: base + PORT_OFFSETS.order,
    product: base + PORT_OFFSETS.product,
    payment: base + PORT_OFFSETS.payment,
    devIssuer: base + PORT_OFFSETS.devIssuer,
  });
}

/**
 * `MCPFED_PORT_BASE` of this process as parsed at start. When it is invalid, the stack and `npm run token`
 * refuse to run with its message; {@link PORT_BASE} is then the default only so that importing never throws.
 */
export const PORT_BASE_SETTING: PortBaseSetting = parsePortBase(process.env[PORT_BASE_VARIABLE]);

/** The port base of this process: `MCPFED_PORT_BASE`, default 8080. */
export const PORT_BASE: number = PORT_BASE_SETTING.ok ? PORT_BASE_SETTING.base : DEFAULT_PORT_BASE;

/** The ports of this process's stack (from {@link PORT_BASE}). */
export const STACK_PORTS: StackPorts = stackPorts(PORT_BASE);

/** Password of the read-only SQL roles in the dev stack (a local throwaway cluster). */
export const DEV_SQL_READER_PASSWORD = 'mcpfed-dev-reader';

/**
 * Every process a stack on `ports` runs, in start order (each is ready before the next starts). Later:
 * order-server (ports.order, with CUSTOMER_MCP_URL/PRODUCT_MCP_URL/PAYMENT_MCP_URL), product-server (ports.product),
 * payment-server (ports.payment), then the router (ports.router) last, once its upstreams answer.
 */
export function defineServices(ports: StackPorts): readonly ServiceDefinition[] {
  const services: ServiceDefinition[] = [
    {
      name: 'customer',
      app: 'customer-server',
      port: ports.customer,
      database: 'customer',
      setup: ['migrate', 'seed'],
      color: 'cyan',
      env: (stack) => ({
        ...commonServerEnv({ port: ports.customer }, stack),
        DATABASE_URL: databaseUrlOf(stack, 'customer'),
        // migrate gives the read-only role of customer_query_sql this password and the server logs in with it
        // (the embedded PostgreSQL does not trust local connections).
        SQL_READER_PASSWORD: DEV_SQL_READER_PASSWORD,
      }),
    },
    {
      name: 'payment',
      app: 'payment-server',
      port: ports.payment,
      database: 'payment',
      setup: ['migrate', 'seed'],
      color: 'green',
      env: (stack) => ({
        ...commonServerEnv({ port: ports.payment }, stack),
        DATABASE_URL: databaseUrlOf(stack, 'payment'),
        SQL_READER_PASSWORD: DEV_SQL_READER_PASSWORD,
        ...approvalClientEnv('payment-approvals'),
      }),
    },
    {
      name: 'product',
      app: 'product-server',
      port: ports.product,
      database: 'product',
      setup: ['migrate', 'seed'],
      color: 'magenta',
      env: (stack) => ({
        ...commonServerEnv({ port: ports.product }, stack),
        DATABASE_URL: databaseUrlOf(stack, 'product'),
        SQL_READER_PASSWORD: DEV_SQL_READER_PASSWORD,
      }),
    },
    // After customer, payment and product: its checkout calls all three.
    {
      name: 'order',
      app: 'order-server',
      port: ports.order,
      database: 'order',
      setup: ['migrate'],
      color: 'yellow',
      env: (stack) => ({
        ...commonServerEnv({ port: ports.order }, stack),
        DATABASE_URL: databaseUrlOf(stack, 'order'),
        SQL_READER_PASSWORD: DEV_SQL_READER_PASSWORD,
        CUSTOMER_MCP_URL: mcpUrl({ port: ports.customer }),
        PRODUCT_MCP_URL: mcpUrl({ port: ports.product }),
        PAYMENT_MCP_URL: mcpUrl({ port: ports.payment }),
        // Its checkout exchanges the caller's token for one per server above (ORDER_UPSTREAM_AUTH default
        // `exchange`, audiences default those URLs); CALLER_TOKEN_KEY, which seals that token meanwhile, takes its
        // development value (MCPFED_ENV).
        SERVICE_CLIENT_ID: DEV_SERVICE_CLIENTS['order-server'].id,
        SERVICE_CLIENT_SECRET: DEV_SERVICE_CLIENTS['order-server'].secret,
        // Its approval page, <PUBLIC_URL>/approvals/<id>, logs the person in at the dev provider.
        ...approvalClientEnv('order-approvals'),
      }),
    },
  ];
  // The router comes last: it lists every server above at start (each is ready by then).
  const upstreams = services.map((service) => ({
    name: service.name,
    url: mcpUrl(service),
    // order_place waits up to 25 s for the checkout (its own deadline is 30 s): let its answer arrive.
    ...(service.name === 'order' ? { tool_timeout_ms: { order_place: 35_000 } } : {}),
  }));
  services.push({
    name: 'router',
    app: 'router',
    port: ports.router,
    setup: [],
    color: 'blue',
    env: (stack) => ({
      ...commonServerEnv({ port: ports.router }, stack),
      ROUTER_UPSTREAMS: JSON.stringify({ upstreams }),
      // Each upstream accepts only its own resource: the router exchanges its caller's token for one addressed there.
      ROUTER_UPSTREAM_AUTH: 'exchange',
      SERVICE_CLIENT_ID: DEV_SERVICE_CLIENTS.router.id,
      SERVICE_CLIENT_SECRET: DEV_SERVICE_CLIENTS.router.secret,
    }),
  });
  return Object.freeze(services);
}

/**
 * Every process `npm start` runs, in start order, on the ports of `MCPFED_PORT_BASE` (default 8080: customer on
 * 8081). Adding a server to `npm start` is one entry in {@link defineServices}.
 */
export const SERVICES: readonly ServiceDefinition[] = defineServices(STACK_PORTS);

/** The domains whose databases the registered services need. */
export function domainsOf(services: readonly ServiceDefinition[]): string[] {
  return [...new Set(services.flatMap((service) => (service.database === undefined ? [] : [service.database])))];
}
