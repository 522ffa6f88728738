import { z } from 'zod';
import { bool, csv, deploymentEnvironment, durationMs, logLevel, port, positiveInt, url } from './env-values.ts';

const httpUrl = (): ReturnType<typeof url> => url({ protocols: ['http', 'https'] });

/**
 * The environment every mcpfed server shares (docs/architecture.md §2, §5), as a zod object shape to spread
 * into the app's own schema:
 * ```ts
 * const schema = z.object({ ...commonServerEnv(8081), DATABASE_URL: url({ protocols: ['postgres', 'postgresql'] }) });
 * export const config = loadConfigOrExit(schema, process.env);
 * ```
 * @param defaultPort The app's own port (router 8080, customer 8081, order 8082, product 8083, payment 8084).
 */
export function commonServerEnv(defaultPort: number) {
  return {
    /**
     * `development` or `production`. Default `production`. Outside development every secret setting must be set
     * (a missing one stops the process at start); in development an unset secret takes a development-only value
     * that anyone can read in the repository. `npm start` and the tests set `development`.
     */
    MCPFED_ENV: deploymentEnvironment,
    /** TCP port of the HTTP listener. Default: the app's port (`defaultPort`). */
    PORT: port(defaultPort),
    /** Interface the HTTP listener binds to. Default `127.0.0.1` (use `0.0.0.0` in a container). */
    HOST: z.string().trim().default('127.0.0.1'),
    /**
     * The URL clients reach this server at (behind a proxy or ingress), used in the protected-resource
     * metadata and for the Host check. Optional; when unset it is `http://HOST:PORT` — see {@link resolvePublicUrl}.
     */
    PUBLIC_URL: httpUrl().optional(),
    /** Redis for rate limits, queues and sessions. Default `redis://127.0.0.1:6379`. */
    REDIS_URL: url({ protocols: ['redis', 'rediss'] }).default('redis://127.0.0.1:6379'),
    /** pino log level. Default `info`. */
    LOG_LEVEL: logLevel,
    /**
     * Expected `iss` of bearer tokens: the OAuth authorization server's issuer identifier, compared exactly.
     * Required to serve HTTP. Its JWKS and token endpoint are discovered from its metadata at start
     * (`/.well-known/openid-configuration`, else RFC 8414 `/.well-known/oauth-authorization-server`).
     */
    AUTH_ISSUER: httpUrl().optional(),
    /** Expected `aud` of bearer tokens. Default `mcpfed` (the federation audience). */
    AUTH_AUDIENCE: z.string().trim().default('mcpfed'),
    /** JWKS used to verify bearer tokens. Optional http(s) URL; default the `jwks_uri` of AUTH_ISSUER's metadata. */
    AUTH_JWKS_URL: httpUrl().optional(),
    /**
     * The token claim naming the customer a token is bound to (a customer's own token, or one acting for a customer).
     * Default `customer_id`. A bound token reaches only that customer's data; staff and services reach customers
     * only with the scope `customer:any`.
     */
    AUTH_CUSTOMER_CLAIM: z
      .string()
      .trim()
      .regex(/^[A-Za-z0-9_.:/-]{1,100}$/, 'must be a claim name (letters, digits, _ . : / -)')
      .default('customer_id'),
    /**
     * The issuer's token endpoint, for a server that gets tokens of its own (router, order server). Optional
     * http(s) URL; default the `token_endpoint` of AUTH_ISSUER's metadata.
     */
    AUTH_TOKEN_URL: httpUrl().optional(),
    /**
     * How a tool call whose scopes the token lacks is refused over HTTP: `http` answers HTTP 403 with
     * `WWW-Authenticate: Bearer error="insufficient_scope", scope="…"` before the call runs (step-up, MCP authorization
     * spec: the client gets a token with those scopes and retries); `tool` (default) lets the call reach the tool,
     * which answers a FORBIDDEN tool result and audits the refused call — for clients that cannot step up. The edge
     * challenge writes no audit row yet, which is why `tool` is still the default. stdio always answers FORBIDDEN.
     */
    AUTH_SCOPE_CHALLENGE: z.enum(['http', 'tool']).default('tool'),
    /**
     * Turns token verification off. Default `false`. Honoured only under `--stdio` (a local, trusted
     * process whose principal comes from STDIO_PRINCIPAL/STDIO_SCOPES); an HTTP server ignores it and
     * always verifies tokens.
     */
    AUTH_DISABLED: bool.default(false),
    /**
     * Browser Origins allowed to call `/mcp` (comma-separated, e.g. `https://app.example.com`). Default
     * empty: only same-host and localhost origins (DNS-rebinding protection); requests without an Origin
     * header (non-browser clients) are not affected.
     */
    ALLOWED_ORIGINS: csv.default(() => []),
    /**
     * Host header values accepted (comma-separated host or host:port). Default empty: `localhost`,
     * `127.0.0.1`, `[::1]` and the host of PUBLIC_URL.
     */
    ALLOWED_HOSTS: csv.default(() => []),
    /** OTLP/HTTP endpoint for traces. Optional http(s) URL; tracing is off when unset. */
    OTEL_EXPORTER_OTLP_ENDPOINT: httpUrl().optional(),
    /** Tool calls allowed per principal and tool in each window (shared across replicas via Redis). Default 600 calls. */
    RATE_LIMIT_POINTS: positiveInt(600),
    /** Length of the rate-limit window, in seconds. Default 60 s. */
    RATE_LIMIT_WINDOW_SECONDS: positiveInt(60),
    /** How long a graceful shutdown waits for in-flight requests before closing, in milliseconds. Default 10000 ms. */
    SHUTDOWN_TIMEOUT_MS: durationMs(10_000),
    /** Principal name of the local operator under `--stdio` (audit, rate limits). Default `local-operator`. */
    STDIO_PRINCIPAL: z.string().trim().default('local-operator'),
    /**
     * Scopes granted under `--stdio`, space-separated like the OAuth `scope` claim (e.g. `customer:read
     * order:read`). Default empty string, which grants ALL scopes: a stdio server is a trusted local process.
     */
    STDIO_SCOPES: z.string().trim().default(''),
    /**
     * Binds the `--stdio` session to one customer: it then reaches only that customer's data, whatever
     * STDIO_SCOPES grants. Optional; unset = unbound (customer data needs the scope `customer:any`, which the
     * default all-scopes grant includes).
     */
    STDIO_CUSTOMER_ID: z
      .string()
      .trim()
      .regex(/^[\x21-\x7E]{1,100}$/, 'must be a customer id (printable characters, no spaces)')
      .optional(),
    /** Maximum connections in this server's PostgreSQL pool. Default 10 (unused by the router). */
    DB_POOL_MAX: positiveInt(10),
  };
}

/** The settings {@link resolvePublicUrl} needs. */
export interface PublicUrlSettings {
  /** PUBLIC_URL, when set. */
  PUBLIC_URL?: string | undefined;
  /** HOST the server binds to. */
  HOST: string;
  /** PORT the server listens on. */
  PORT: number;
}

/**
 * PUBLIC_URL without a trailing slash, or `http://HOST:PORT` when it is unset. A wildcard bind
 * (`0.0.0.0`, `::`) is not an address a client can use, so it becomes `localhost`; an IPv6 address is
 * bracketed.
 */
export function resolvePublicUrl(settings: PublicUrlSettings): string {
  if (settings.PUBLIC_URL !== undefined) return settings.PUBLIC_URL.replace(/\/+$/, '');
  const host = settings.HOST === '0.0.0.0' || settings.HOST === '::' ? 'localhost' : settings.HOST;
  return `http://${host.includes(':') && !host.startsWith('[') ? `[${host}]` : host}:${settings.PORT}`;
}
