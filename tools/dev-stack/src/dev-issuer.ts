import { mkdir } from 'node:fs/promises';
import { loadOrCreateDevIssuer } from '@mcpfed/auth';
import type { DevIssuer } from '@mcpfed/auth';
import { createDevProvider } from '@mcpfed/auth/dev-provider';
import type { DevProviderOptions } from '@mcpfed/auth/dev-provider';
import { SCOPES } from '@mcpfed/contract-common';
import { listenHttp } from '@mcpfed/mcp-runtime';
import { DEMO_USERS } from './demo-users.ts';
import { devProviderClients } from './service-clients.ts';
import { STACK_PORTS, defineServices, resourceOf } from './services.ts';
import type { StackPorts } from './services.ts';
import { DATA_DIR, DEV_ISSUER_DIR, DEV_ISSUER_PORT, DEV_ISSUER_URL } from './workspace.ts';

/** Lifetime of the stack's access tokens: a working day, so a token pasted into a client config lasts the session. */
export const DEV_TOKEN_TTL_SECONDS = 12 * 3600;

/** The running dev provider of the stack. */
export interface RunningDevProvider {
  /** Its signing key and issuer URL. */
  readonly issuer: DevIssuer;
  /** Closes its HTTP server. */
  stop(): Promise<void>;
}

/**
 * What the stack's provider knows, for a stack on `ports` signing with `issuer`: the resource of every server of
 * the stack (`<PUBLIC_URL>/mcp`, the router and each server it lists), every federation scope, the service, approval and CLI
 * clients ({@link devProviderClients}) and the {@link DEMO_USERS}.
 */
export function stackProviderOptions(issuer: DevIssuer, ports: StackPorts = STACK_PORTS): DevProviderOptions {
  const resource = (port: number) => resourceOf({ port });
  return {
    issuer,
    resources: defineServices(ports).map(resourceOf),
    scopes: SCOPES,
    clients: devProviderClients({ router: resource(ports.router), order: resource(ports.order), payment: resource(ports.payment) }),
    users: Object.values(DEMO_USERS),
    accessTokenTtlSeconds: DEV_TOKEN_TTL_SECONDS,
  };
}

/**
 * Loads (or creates) the stack's signing key and serves the dev provider (oidc-provider: discovery, JWKS, client
 * credentials, authorization code + PKCE with a login page, registration, token exchange) on
 * 127.0.0.1:{@link DEV_ISSUER_PORT} (default 8090), issuer {@link DEV_ISSUER_URL}.
 */
export async function startDevProvider(): Promise<RunningDevProvider> {
  const issuer = await loadDevIssuer();
  const { server } = createDevProvider(stackProviderOptions(issuer));
  await listenHttp(server, { port: DEV_ISSUER_PORT, host: '127.0.0.1' });
  return {
    issuer,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** The stack's signing key (under `.data/dev-issuer`), kept across restarts so issued tokens stay valid. */
export async function loadDevIssuer(): Promise<DevIssuer> {
  // Create `.data` with default permissions first: the issuer creates missing parents 0700, which would keep the
  // embedded PostgreSQL (running as the postgres user when the stack runs as root) out of `.data/postgres`.
  await mkdir(DATA_DIR, { recursive: true });
  return loadOrCreateDevIssuer({ dir: DEV_ISSUER_DIR, issuerUrl: DEV_ISSUER_URL });
}
