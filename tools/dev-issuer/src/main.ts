/**
 * The dev token issuer as a process of its own, for docker-compose (`npm start` runs it inside the dev stack):
 *   node tools/dev-issuer/src/main.ts serve
 *     JWKS, RFC 8414 metadata and, for each service client whose secret is set, the client-credentials token
 *     endpoint `POST /oauth/token`, on DEV_ISSUER_HOST:DEV_ISSUER_PORT.
 *   node tools/dev-issuer/src/main.ts token --scopes "customer:read order:read" [--subject alice] [--ttl 3600] [--audience mcpfed]
 *     prints one user token signed with the same key (DEV_ISSUER_KEY_DIR).
 * Settings: see dev-issuer-config.ts. Exit codes: 0 done, 1 failed, 2 bad arguments, 78 bad environment.
 * For local evaluation only: a real deployment points AUTH_ISSUER, AUTH_JWKS_URL and AUTH_TOKEN_URL at its
 * OIDC provider.
 */
import type { Server } from 'node:http';
import { createDevIssuerServer, loadOrCreateDevIssuer } from '@mcpfed/auth';
import type { DevIssuer } from '@mcpfed/auth';
import { loadConfigOrExit } from '@mcpfed/config';
import { SCOPES } from '@mcpfed/contract-common';
import { createLogger } from '@mcpfed/telemetry';
import { devIssuerConfigSchema, serviceClientsOf } from './dev-issuer-config.ts';
import type { DevIssuerConfig } from './dev-issuer-config.ts';
import { parseTokenRequest } from './token-request.ts';

const USAGE = `usage: dev-issuer serve
       dev-issuer token --scopes "customer:read customer:write" [--subject alice] [--ttl 3600] [--audience mcpfed]`;

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
  const clients = serviceClientsOf(config);
  const server = createDevIssuerServer(await issuerOf(config), {
    scopesSupported: SCOPES,
    clients,
    serviceTokenTtlSeconds: config.SERVICE_TOKEN_TTL_SECONDS,
  });
  await listen(server, config.DEV_ISSUER_PORT, config.DEV_ISSUER_HOST);
  createLogger({ name: 'dev-issuer', level: 'info' }).info({
    issuer: config.DEV_ISSUER_URL,
    host: config.DEV_ISSUER_HOST,
    port: config.DEV_ISSUER_PORT,
    clients: clients.map((client) => client.id),
  }, 'dev issuer listening');
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
    const { subject, scopes, audience, ttlSeconds } = request;
    process.stdout.write(`${await issuer.mint({ subject, scopes, audience, ttlSeconds })}\n`);
  } catch (error) {
    process.stderr.write(`token: could not mint a token: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  }
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

