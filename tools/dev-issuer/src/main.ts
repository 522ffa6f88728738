/**
 * The dev authorization server as a process of its own, for docker-compose (`npm start` runs the same provider inside
 * the dev stack):
 *   node tools/dev-issuer/src/main.ts serve
 *     the oidc-provider dev provider (createDevProvider) on DEV_ISSUER_HOST:DEV_ISSUER_PORT: discovery, JWKS, client
 *     credentials with resource indicators, token exchange for the router and the order server, the login page of
 *     the demo users (authorization code + PKCE) for the approval pages and MCP clients.
 *   node tools/dev-issuer/src/main.ts token --scopes "customer:read order:read" [--subject alice] [--ttl 3600] [--audience <resource>]
 *     prints one user token signed with the same key (DEV_ISSUER_KEY_DIR), for the router's resource unless --audience names another.
 * Settings: see dev-issuer-config.ts. Exit codes: 0 done, 1 failed, 2 bad arguments, 78 bad environment.
 * For local evaluation only: a real deployment points AUTH_ISSUER at its OIDC provider.
 */
import { loadOrCreateDevIssuer } from '@mcpfed/auth';
import type { DevIssuer } from '@mcpfed/auth';
import { createDevProvider } from '@mcpfed/auth/dev-provider';
import { loadConfigOrExit } from '@mcpfed/config';
import { listenHttp } from '@mcpfed/mcp-runtime';
import { createLogger } from '@mcpfed/telemetry';
import { devIssuerConfigSchema, providerOptionsOf } from './dev-issuer-config.ts';
import type { DevIssuerConfig } from './dev-issuer-config.ts';
import { parseTokenRequest } from './token-request.ts';

const USAGE = `usage: dev-issuer serve
       dev-issuer token --scopes "customer:read customer:write" [--subject alice] [--ttl 3600] [--audience <resource>]`;

const [command, ...args] = process.argv.slice(2);
if (command === 'serve' && args.length === 0) {
  await serve(loadConfigOrExit(devIssuerConfigSchema, process.env));
} else if (command === 'token') {
  await token(loadConfigOrExit(devIssuerConfigSchema, process.env), args);
} else {
  process.stderr.write(`${USAGE}\n`);
  process.exitCode = command === '--help' ? 0 : 2;
}

function issuerOf(config: DevIssuerConfig): Promise<DevIssuer> {
  return loadOrCreateDevIssuer({ dir: config.DEV_ISSUER_KEY_DIR, issuerUrl: config.DEV_ISSUER_URL });
}

async function serve(config: DevIssuerConfig): Promise<void> {
  const options = providerOptionsOf(config, await issuerOf(config));
  const { server } = createDevProvider(options);
  await listenHttp(server, { port: config.DEV_ISSUER_PORT, host: config.DEV_ISSUER_HOST });
  createLogger({ name: 'dev-issuer', level: 'info' }).info(
    {
      issuer: config.DEV_ISSUER_URL,
      host: config.DEV_ISSUER_HOST,
      port: config.DEV_ISSUER_PORT,
      clients: (options.clients ?? []).map((client) => client.id),
    },
    'dev issuer listening',
  );
  const stop = () => {
    server.close();
    server.closeAllConnections();
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

async function token(config: DevIssuerConfig, argv: readonly string[]): Promise<void> {
  const request = parseTokenRequest(argv);
  if ('error' in request) {
    process.stderr.write(`token: ${request.error}\n${USAGE}\n`);
    process.exitCode = 2;
    return;
  }
  try {
    const issuer = await issuerOf(config);
    const { subject, scopes, ttlSeconds } = request;
    process.stdout.write(`${await issuer.mint({ subject, scopes, audience: request.audience ?? config.ROUTER_RESOURCE, ttlSeconds })}\n`);
  } catch (error) {
    process.stderr.write(`token: could not mint a token: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  }
}
