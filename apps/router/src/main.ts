import { parseArgs } from 'node:util';
import {
  createClientCredentialsTokenSource,
  createJwtVerifier,
  createOriginGuard,
  discoverIssuer,
  localPrincipal,
  protectedResourceMetadata,
} from '@mcpfed/auth';
import type { DiscoveredIssuer } from '@mcpfed/auth';
import { ConfigError, EX_CONFIG, loadConfigOrExit, resolvePublicUrl } from '@mcpfed/config';
import { onShutdownSignal, serveStdio, serverIcon } from '@mcpfed/mcp-runtime';
import type { ShutdownStep } from '@mcpfed/mcp-runtime';
import { createLogger, createMetrics, initTracing } from '@mcpfed/telemetry';
import type { Logger } from '@mcpfed/telemetry';
import packageJson from '../package.json' with { type: 'json' };
import { FEDERATION_SCOPES, routerConfigSchema } from './config.ts';
import type { RouterConfig } from './config.ts';
import { serveRouterHttp } from './http/router-http-server.ts';
import { Router } from './router.ts';
import { ROUTER_CACHE_HINTS } from './router-cache-hints.ts';
import { createRouterMetrics } from './router-metrics.ts';
import { createRouterServer } from './router-protocol.ts';
import type { RouterServerInfo } from './router-protocol.ts';
import { Upstream } from './upstream/upstream.ts';
import { UpstreamCredentials } from './upstream/upstream-credentials.ts';

const NAME = 'router';
const EX_USAGE = 64;
const USAGE = `usage: router [serve [--stdio]]
  serve     serve the whole federation over HTTP on PORT (default), or to one local client on stdin/stdout with --stdio`;

async function serve(config: RouterConfig, logger: Logger, transport: 'http' | 'stdio'): Promise<void> {
  if (!config.AUTH_ISSUER) {
    logger.fatal(
      'invalid configuration: AUTH_ISSUER: required (the router verifies tokens and gets its own from this issuer); `npm start` runs a local dev issuer',
    );
    process.exit(EX_CONFIG);
  }
  if (!config.SERVICE_CLIENT_SECRET) {
    logger.fatal('invalid configuration: SERVICE_CLIENT_SECRET: required (the router lists its upstreams with its own service token); `npm start` sets it');
    process.exit(EX_CONFIG);
  }
  if (transport === 'stdio' && config.STDIO_CUSTOMER_ID !== undefined) {
    // The router calls the servers with its service token, which cannot carry a customer binding: a bound local
    // session would reach every customer. Serve such a session from a domain server's own --stdio instead.
    logger.fatal(
      'STDIO_CUSTOMER_ID is not supported by the router under --stdio; run a domain server with --stdio (client-config --mode direct) or use a customer-bound token over HTTP',
    );
    process.exit(EX_CONFIG);
  }
  let identity: DiscoveredIssuer;
  try {
    // An issuer that does not answer yet is retried for 10 s: it may be starting alongside the router.
    identity = await discoverIssuer({
      issuer: config.AUTH_ISSUER,
      jwksUrl: config.AUTH_JWKS_URL,
      tokenUrl: config.AUTH_TOKEN_URL,
      needsTokenEndpoint: true,
      retryForMs: 10_000,
    });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    // Written synchronously: the line must not be lost to the exit.
    process.stderr.write(`${error.message}\n`);
    return process.exit(EX_CONFIG);
  }
  const metrics = createMetrics({ service: NAME });
  const tracing = initTracing({
    serviceName: NAME,
    ...(config.OTEL_EXPORTER_OTLP_ENDPOINT ? { otlpEndpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT } : {}),
    logger,
  });
  const serviceTokens = (scopes: readonly string[]) =>
    createClientCredentialsTokenSource({
      issuer: identity.issuer,
      tokenUrl: identity.tokenUrl as string,
      clientId: config.SERVICE_CLIENT_ID,
      clientSecret: config.SERVICE_CLIENT_SECRET as string,
      scopes,
    });
  // The router's own token (every scope) lists the upstreams; it never goes upstream with a caller's request.
  const tokens = serviceTokens(config.SERVICE_SCOPES);
  const stdioScopes = config.STDIO_SCOPES.split(/\s+/).filter(Boolean);
  const principal =
    transport === 'stdio' ? localPrincipal({ name: config.STDIO_PRINCIPAL, scopes: stdioScopes.length > 0 ? stdioScopes : FEDERATION_SCOPES }) : undefined;
  let credentials: UpstreamCredentials;
  try {
    credentials = new UpstreamCredentials({
      audience: config.AUTH_AUDIENCE,
      serviceTokens,
      serviceScopes: config.SERVICE_SCOPES,
      localPrincipal: principal,
      upstreamAuth: config.ROUTER_UPSTREAM_AUTH,
      exchangeTokens: tokens,
    });
  } catch (error) {
    logger.fatal((error as Error).message);
    return process.exit(EX_CONFIG);
  }
  if (credentials.droppedLocalScopes.length > 0) {
    logger.warn({ dropped: credentials.droppedLocalScopes }, 'STDIO_SCOPES names scopes outside SERVICE_SCOPES: the upstreams refuse what needs them');
  }
  const serverInfo: RouterServerInfo = {
    name: 'mcpfed-router',
    version: packageJson.version,
    title: 'mcpfed router',
    description: 'One MCP endpoint over the commerce federation: customers, orders, products and inventory, payments; each domain served by its own server.',
    icons: [serverIcon('M', '#0f172a')],
  };
  const upstreams = config.ROUTER_UPSTREAMS.map(
    (entry) =>
      new Upstream({
        entry,
        tokens,
        // Exchanging tokens, each upstream may accept only its own audience: the router's own token is addressed to it too.
        audience: config.ROUTER_UPSTREAM_AUTH === 'exchange' ? (entry.resource ?? entry.url) : config.AUTH_AUDIENCE,
        logger,
        breaker: { consecutiveFailures: config.ROUTER_BREAKER_FAILURES, halfOpenAfterMs: config.ROUTER_BREAKER_HALF_OPEN_MS },
        refreshIntervalMs: config.ROUTER_REFRESH_INTERVAL_MS,
        probeIntervalMs: config.ROUTER_PROBE_INTERVAL_MS,
        discoveryTimeoutMs: config.ROUTER_DISCOVERY_TIMEOUT_MS,
        deadlineMarginMs: config.ROUTER_DEADLINE_MARGIN_MS,
        clientInfo: { name: serverInfo.name, version: serverInfo.version },
      }),
  );
  const router = new Router({ upstreams, credentials, logger, metrics, routerMetrics: createRouterMetrics(metrics, upstreams), tracing });
  await router.start();
  const steps: ShutdownStep[] = [];

  if (principal !== undefined) {
    const stdio = await serveStdio(
      {
        createServer: (connectionPrincipal) => {
          const server = createRouterServer({ router, view: undefined, serverInfo, logger, ...(connectionPrincipal ? { connectionPrincipal } : {}) });
          router.onCatalogChange(undefined, (changed) => {
            if (changed.includes('tools')) void server.sendToolListChanged().catch(() => undefined);
            if (changed.includes('prompts')) void server.sendPromptListChanged().catch(() => undefined);
            if (changed.includes('resources')) void server.sendResourceListChanged().catch(() => undefined);
          });
          return server;
        },
      },
      principal,
      { serverInfo, cacheHints: ROUTER_CACHE_HINTS, listChanged: true },
    );
    steps.push({ name: 'stdio', run: () => stdio.close() });
    logger.info({ principal: principal.id, scopes: [...principal.scopes] }, 'serving the federation on stdio');
    void stdio.closed.then(() => shutdown('stdin closed'));
  } else {
    const publicUrl = resolvePublicUrl(config);
    const issuer = identity.issuer;
    const http = await serveRouterHttp({
      router,
      host: config.HOST,
      port: config.PORT,
      ...(config.PUBLIC_URL ? { publicUrl } : {}),
      verifier: createJwtVerifier({
        issuer,
        audience: [config.AUTH_AUDIENCE, `${publicUrl}/mcp`],
        jwksUrl: identity.jwksUrl,
        customerClaim: config.AUTH_CUSTOMER_CLAIM,
      }),
      originGuard: createOriginGuard({
        allowedOrigins: config.ALLOWED_ORIGINS,
        allowedHosts: config.ALLOWED_HOSTS.length > 0 ? config.ALLOWED_HOSTS : ['localhost', '127.0.0.1', '[::1]', new URL(publicUrl).host],
      }),
      resourceMetadata: (resource) => ({
        ...protectedResourceMetadata({ resource, authorizationServers: [issuer], scopesSupported: FEDERATION_SCOPES, resourceName: 'mcpfed router' }),
      }),
      serverInfo,
      logger,
      metrics,
      maxBodyBytes: config.ROUTER_MAX_BODY_BYTES,
      maxBatch: config.ROUTER_MAX_BATCH,
      headersTimeoutMs: config.ROUTER_HEADERS_TIMEOUT_MS,
      bodyTimeoutMs: config.ROUTER_BODY_TIMEOUT_MS,
      maxStreamsPerPrincipal: config.ROUTER_MAX_STREAMS_PER_PRINCIPAL,
      maxStreams: config.ROUTER_MAX_STREAMS,
      scopeChallenge: config.AUTH_SCOPE_CHALLENGE,
      challengeScopes: FEDERATION_SCOPES,
    });
    steps.push({ name: 'http', run: () => http.close(Math.max(0, config.SHUTDOWN_TIMEOUT_MS - 1000)) });
    logger.info({ url: `${http.url}/mcp`, upstreams: upstreams.map((u) => u.name) }, 'serving the federation over HTTP');
  }
  steps.push({ name: 'upstreams', run: () => router.close() }, { name: 'tracing', run: () => tracing.shutdown() });
  const shutdown = onShutdownSignal({ logger, timeoutMs: config.SHUTDOWN_TIMEOUT_MS, steps });
}

async function main(argv: readonly string[]): Promise<void> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: { stdio: { type: 'boolean', default: false }, help: { type: 'boolean', default: false } },
    });
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n${USAGE}\n`);
    return process.exit(EX_USAGE);
  }
  const command = parsed.positionals[0] ?? 'serve';
  if (parsed.values.help === true || command !== 'serve' || parsed.positionals.length > 1) {
    process.stderr.write(`${USAGE}\n`);
    return process.exit(parsed.values.help === true ? 0 : EX_USAGE);
  }
  const config = loadConfigOrExit(routerConfigSchema, process.env);
  const logger = createLogger({ name: NAME, level: config.LOG_LEVEL });
  try {
    await serve(config, logger, parsed.values.stdio === true ? 'stdio' : 'http');
  } catch (error) {
    process.stderr.write(`${NAME}: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  }
}

void main(process.argv.slice(2));
