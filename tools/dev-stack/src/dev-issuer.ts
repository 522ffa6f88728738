import { mkdir } from 'node:fs/promises';
import type { Server } from 'node:http';
import { createDevIssuerServer, loadOrCreateDevIssuer } from '@mcpfed/auth';
import type { DevIssuer } from '@mcpfed/auth';
import { SCOPES } from '@mcpfed/contract-common';
import { DEV_SERVICE_CLIENTS } from './service-clients.ts';
import { DATA_DIR, DEV_ISSUER_DIR, DEV_ISSUER_PORT, DEV_ISSUER_URL } from './workspace.ts';

/** The running dev issuer of the stack. */
export interface RunningDevIssuer {
  /** Mints tokens the servers accept. */
  readonly issuer: DevIssuer;
  /** Closes its HTTP server. */
  stop(): Promise<void>;
}

/**
 * Loads (or creates) the dev issuer key and serves its JWKS, metadata and token endpoint on
 * 127.0.0.1:{@link DEV_ISSUER_PORT} (default 8090). The token endpoint knows the {@link DEV_SERVICE_CLIENTS}.
 */
export async function startDevIssuer(): Promise<RunningDevIssuer> {
  const issuer = await loadDevIssuer();
  const server = createDevIssuerServer(issuer, { scopesSupported: SCOPES, clients: Object.values(DEV_SERVICE_CLIENTS) });
  await listen(server, DEV_ISSUER_PORT, '127.0.0.1');
  return {
    issuer,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** The dev issuer `npm start` and `npm run token` share (key under `.data/dev-issuer`). */
export async function loadDevIssuer(): Promise<DevIssuer> {
  // Create `.data` with default permissions first: the issuer creates missing parents 0700, which would keep the
  // embedded PostgreSQL (running as the postgres user when the stack runs as root) out of `.data/postgres`.
  await mkdir(DATA_DIR, { recursive: true });
  return loadOrCreateDevIssuer({ dir: DEV_ISSUER_DIR, issuerUrl: DEV_ISSUER_URL });
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
