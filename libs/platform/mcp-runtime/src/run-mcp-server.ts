import { Redis } from 'ioredis';
import type { Kysely } from 'kysely';
import { pendingMigrations } from '@mcpfed/db';
import type { Migration } from '@mcpfed/db';
import { createJwtVerifier, createOriginGuard, createRateLimiter, discoverIssuer, localPrincipal, protectedResourceMetadata } from '@mcpfed/auth';
import { ConfigError, EX_CONFIG, resolvePublicUrl } from '@mcpfed/config';
import { createMetrics, initTracing, registerPoolMetrics } from '@mcpfed/telemetry';
import type { Logger, Metrics, PoolStats } from '@mcpfed/telemetry';
import { onShutdownSignal } from './graceful-shutdown.ts';
import type { ShutdownStep } from './graceful-shutdown.ts';
import { serveHttp } from './http-server.ts';
import type { HttpPages } from './http-server.ts';
import { createMcpHost } from './mcp-host.ts';
import type { McpHost } from './mcp-host.ts';
import { serveStdio } from './stdio-server.ts';
import type { ServerIdentity } from './server-identity.ts';
import type { PromptBinding, ResourceBinding, ToolBinding } from './types.ts';

/**
 * The common settings of every domain server, as parsed by `commonServerEnv` and `domainServerEnv` of @mcpfed/config
 * (with `AUDIT_DIGEST_KEY` resolved by `requireSecretsOutsideDevelopment`).
 */
export interface CommonServerSettings {
  PORT: number;
  HOST: string;
  PUBLIC_URL?: string | undefined;
  REDIS_URL: string;
  AUTH_ISSUER?: string | undefined;
  AUTH_AUDIENCE: string;
  AUTH_JWKS_URL?: string | undefined;
  /** The customer claim of bound tokens. Default `customer_id`. */
  AUTH_CUSTOMER_CLAIM?: string | undefined;
  AUTH_TOKEN_URL?: string | undefined;
  /** `http`: a tool call lacking scopes gets HTTP 403 `insufficient_scope` (step-up); `tool`: a FORBIDDEN tool result. */
  AUTH_SCOPE_CHALLENGE: 'http' | 'tool';
  ALLOWED_ORIGINS: string[];
  ALLOWED_HOSTS: string[];
  OTEL_EXPORTER_OTLP_ENDPOINT?: string | undefined;
  RATE_LIMIT_POINTS: number;
  RATE_LIMIT_WINDOW_SECONDS: number;
  SHUTDOWN_TIMEOUT_MS: number;
  STDIO_PRINCIPAL: string;
  STDIO_SCOPES: string;
  /** The customer a stdio session is bound to, if any. */
  STDIO_CUSTOMER_ID?: string | undefined;
  /** HMAC key of the audit records' argument digests. */
  AUDIT_DIGEST_KEY: string;
  /** Days an audit record is kept. */
  AUDIT_RETENTION_DAYS: number;
  /** Body read deadline of an HTTP request, in milliseconds. */
  HTTP_BODY_TIMEOUT_MS: number;
  /** Headers read deadline of an HTTP request, in milliseconds. */
  HTTP_HEADERS_TIMEOUT_MS: number;
}

/**
 * Everything {@link runMcpServer} needs from an app's composition root. Its identity (`name`, e.g. `customer-server`,
 * is also the metrics `service` label and the trace service name; icons are data: URIs, see `serverIcon`).
 */
export interface RunMcpServerOptions<DB> extends ServerIdentity {
  settings: CommonServerSettings;
  logger: Logger;
  /** The domain database opened by the app. Closed last on shutdown. */
  database: { db: Kysely<DB>; pool: PoolStats; ping(signal?: AbortSignal): Promise<void>; close(): Promise<void> };
  /**
   * The migrations this version of the app bundles (what `migrate` applies). `GET /readyz` answers 503 with
   * `schema: unavailable` while the database lacks any of them, so a new version never takes traffic before its
   * migrations ran; once the schema has caught up the check is not asked again.
   */
  migrations: Readonly<Record<string, Migration>>;
  tools: readonly ToolBinding<DB>[];
  resources?: readonly ResourceBinding<DB>[];
  prompts?: readonly PromptBinding<DB>[];
  /** `http` (default) or `stdio`. */
  transport: 'http' | 'stdio';
  /** Every scope the federation knows: advertised in the metadata and granted under stdio by default. */
  allScopes: readonly string[];
  /** Extra steps run on shutdown after the host stopped and before the database closes (e.g. a second pool). */
  shutdownSteps?: readonly ShutdownStep[];
  /**
   * The metrics to record into and serve on `GET /metrics`, when the app needs them before the server runs (e.g.
   * its federation clients, created first, record `federation_calls_total` into them). Default: a new
   * `createMetrics({ service: name })`.
   */
  metrics?: Metrics;
  /** Browser pages served beside `/mcp` over HTTP (e.g. the approval pages). Default none. */
  pages?: HttpPages;
}

/** How long an issuer that does not answer is retried at start before the server gives up, in milliseconds. */
const DISCOVERY_RETRY_MS = 10_000;

/** A running server. */
export interface RunningMcpServer<DB> {
  host: McpHost<DB>;
  metrics: Metrics;
  /** Base URL (HTTP only). */
  url: string | undefined;
  /** Runs the graceful shutdown (also started by SIGTERM/SIGINT) and exits the process. */
  shutdown(reason: string): Promise<void>;
}

/**
 * The shared composition of a domain server: telemetry, Redis (rate limits, readiness), token verification,
 * the MCP host, HTTP or stdio hosting and the graceful shutdown. Each app's `main.ts` parses its config,
 * opens its database, builds its bindings and hands them here.
 */
export async function runMcpServer<DB>(options: RunMcpServerOptions<DB>): Promise<RunningMcpServer<DB>> {
  const { settings, logger } = options;
  const metrics = options.metrics ?? createMetrics({ service: options.name });
  registerPoolMetrics(metrics, 'main', options.database.pool);
  const tracing = initTracing({
    serviceName: options.name,
    ...(settings.OTEL_EXPORTER_OTLP_ENDPOINT ? { otlpEndpoint: settings.OTEL_EXPORTER_OTLP_ENDPOINT } : {}),
    logger,
  });
  const steps: ShutdownStep[] = [];
  let redis: Redis | undefined;
  let rateLimiter: ReturnType<typeof createRateLimiter> | undefined;
  if (options.transport === 'http') {
    // Auto-pipelining sends the rate-limit commands of concurrent calls in one write: on a busy server that is
    // one syscall for many calls instead of one each.
    redis = new Redis(settings.REDIS_URL, {
      lazyConnect: true,
      maxRetriesPerRequest: 1,
      enableOfflineQueue: false,
      enableAutoPipelining: true,
      connectionName: options.name,
    });
    redis.on('error', (error: Error) => logger.warn({ err: error }, 'redis connection problem'));
    await redis.connect().catch((error: unknown) => logger.warn({ err: error }, 'redis not reachable at start; rate limits fall back to per-process memory'));
    rateLimiter = createRateLimiter({
      redis,
      keyPrefix: `mcpfed:rl:${options.name}`,
      points: settings.RATE_LIMIT_POINTS,
      windowSeconds: settings.RATE_LIMIT_WINDOW_SECONDS,
    });
  }
  const host = createMcpHost<DB>({
    name: options.name,
    version: options.version,
    ...(options.title ? { title: options.title } : {}),
    ...(options.description ? { description: options.description } : {}),
    ...(options.icons ? { icons: options.icons } : {}),
    ...(options.instructions ? { instructions: options.instructions } : {}),
    db: options.database.db,
    tools: options.tools,
    resources: options.resources ?? [],
    prompts: options.prompts ?? [],
    logger,
    metrics,
    tracing,
    ...(rateLimiter ? { rateLimiter } : {}),
    auditDigestKey: settings.AUDIT_DIGEST_KEY,
    auditRetentionDays: settings.AUDIT_RETENTION_DAYS,
  });

  let url: string | undefined;
  if (options.transport === 'stdio') {
    const scopes = settings.STDIO_SCOPES.split(/\s+/).filter(Boolean);
    const principal = localPrincipal({
      name: settings.STDIO_PRINCIPAL,
      scopes: scopes.length > 0 ? scopes : options.allScopes,
      customerId: settings.STDIO_CUSTOMER_ID,
    });
    const stdio = await serveStdio(host, principal);
    steps.push({ name: 'stdio', run: () => stdio.close() });
    logger.info(
      { principal: principal.id, scopes: [...principal.scopes], ...(principal.customerId === undefined ? {} : { customer_id: principal.customerId }) },
      'serving MCP on stdio',
    );
    void stdio.closed.then(() => shutdown('stdin closed'));
  } else {
    if (!settings.AUTH_ISSUER) {
      logger.fatal('invalid configuration: AUTH_ISSUER: required to serve HTTP (tokens are always verified); `npm start` runs a local dev issuer');
      process.exit(EX_CONFIG);
    }
    const identity = await discoverIssuer({ issuer: settings.AUTH_ISSUER, jwksUrl: settings.AUTH_JWKS_URL, retryForMs: DISCOVERY_RETRY_MS }).catch(
      (error: unknown) => {
        if (!(error instanceof ConfigError)) throw error;
        // Written synchronously: the line must not be lost to the exit.
        process.stderr.write(`${error.message}\n`);
        return process.exit(EX_CONFIG);
      },
    );
    const publicUrl = resolvePublicUrl(settings);
    const publicHost = new URL(publicUrl).host;
    // Former names (aliases) need the same scopes, so a call by an old name gets the same step-up challenge.
    const toolScopes = new Map(
      options.tools.flatMap((tool) =>
        [tool.contract.name, ...(tool.contract.aliases ?? []).map((alias) => alias.name)].map((name) => [name, tool.contract.scopes] as const),
      ),
    );
    const http = await serveHttp(host, {
      host: settings.HOST,
      port: settings.PORT,
      ...(settings.PUBLIC_URL ? { publicUrl } : {}),
      verifier: createJwtVerifier({
        issuer: settings.AUTH_ISSUER,
        audience: [settings.AUTH_AUDIENCE, `${publicUrl}/mcp`],
        jwksUrl: identity.jwksUrl,
        ...(settings.AUTH_CUSTOMER_CLAIM === undefined ? {} : { customerClaim: settings.AUTH_CUSTOMER_CLAIM }),
      }),
      originGuard: createOriginGuard({
        // The pages post their forms from this server's own origin.
        allowedOrigins:
          options.pages !== undefined && settings.ALLOWED_ORIGINS.length > 0
            ? [...settings.ALLOWED_ORIGINS, new URL(publicUrl).origin]
            : settings.ALLOWED_ORIGINS,
        allowedHosts: settings.ALLOWED_HOSTS.length > 0 ? settings.ALLOWED_HOSTS : ['localhost', '127.0.0.1', '[::1]', publicHost],
      }),
      resourceMetadata: (resource) => ({
        ...protectedResourceMetadata({
          resource,
          authorizationServers: [settings.AUTH_ISSUER as string],
          scopesSupported: options.allScopes,
          resourceName: options.title ?? options.name,
        }),
      }),
      readiness: [
        { name: 'database', check: (signal) => options.database.ping(signal) },
        { name: 'schema', check: schemaCheck(options.database.db, options.migrations, logger) },
        { name: 'redis', check: async () => void (await redis?.ping()) },
      ],
      logger,
      metrics,
      bodyTimeoutMs: settings.HTTP_BODY_TIMEOUT_MS,
      headersTimeoutMs: settings.HTTP_HEADERS_TIMEOUT_MS,
      ...(settings.AUTH_SCOPE_CHALLENGE === 'http' ? { toolScopes } : {}),
      // A 401 names what it takes to use this server's tools; the client may ask for less.
      challengeScopes: [...new Set([...toolScopes.values()].flat())].sort(),
      ...(options.pages === undefined ? {} : { pages: options.pages }),
    });
    url = http.url;
    steps.push({ name: 'http', run: () => http.close(Math.max(0, settings.SHUTDOWN_TIMEOUT_MS - 1000)) });
    logger.info({ url: `${http.url}/mcp`, tools: options.tools.length }, 'serving MCP over HTTP');
  }
  steps.push({ name: 'audit', run: () => host.close() });
  steps.push(...(options.shutdownSteps ?? []));
  steps.push({ name: 'tracing', run: () => tracing.shutdown() });
  if (redis) {
    const r = redis;
    steps.push({ name: 'redis', run: async () => void (await r.quit().catch(() => r.disconnect())) });
  }
  steps.push({ name: 'database', run: () => options.database.close() });
  const shutdown = onShutdownSignal({ logger, timeoutMs: settings.SHUTDOWN_TIMEOUT_MS, steps });
  return { host, metrics, url, shutdown };
}

/**
 * The `schema` readiness check: rejects while the database has not applied every bundled migration. A schema
 * only grows while a version serves (expand, then contract: docs in deploy/README.md), so once it is current the
 * check answers from memory. The missing migrations are logged once per change, not on every probe.
 */
function schemaCheck<DB>(db: Kysely<DB>, migrations: Readonly<Record<string, Migration>>, logger: Logger): (signal: AbortSignal) => Promise<void> {
  let current = false;
  let reported = '';
  return async (signal) => {
    if (current) return;
    const aborted = new Promise<never>((_, reject) => {
      if (signal.aborted) reject(signal.reason);
      signal.addEventListener('abort', () => reject(signal.reason), { once: true });
    });
    aborted.catch(() => {});
    const pending = await Promise.race([pendingMigrations(db, migrations), aborted]);
    if (pending.length === 0) {
      current = true;
      if (reported !== '') logger.info('database schema is current: ready');
      return;
    }
    if (pending.join(',') !== reported) {
      reported = pending.join(',');
      logger.warn({ pending }, 'database schema is older than this version: not ready until `migrate` applies the pending migrations');
    }
    throw new Error(`${pending.length} migrations pending`);
  };
}
