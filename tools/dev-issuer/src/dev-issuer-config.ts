import { z } from 'zod';
import type { DevServiceClient } from '@mcpfed/auth';
import { port, positiveInt, url } from '@mcpfed/config';
import { DEV_SERVICE_CLIENTS } from '@mcpfed/dev-stack';

const secret = () => z.string().min(16).max(512).optional();

/** Environment of the standalone dev issuer (`node tools/dev-issuer/src/main.ts serve | token`). */
export const devIssuerConfigSchema = z.object({
  /** The `iss` of every token; the servers' AUTH_ISSUER. Default `http://127.0.0.1:8090` (compose: `http://dev-issuer:8090`). */
  DEV_ISSUER_URL: url({ protocols: ['http', 'https'] }).default('http://127.0.0.1:8090'),
  /** Interface to listen on. Default `127.0.0.1` (compose: `0.0.0.0`). */
  DEV_ISSUER_HOST: z.string().trim().default('127.0.0.1'),
  /** TCP port to listen on. Default 8090. */
  DEV_ISSUER_PORT: port(8090),
  /** Directory of the signing key (created 0700 when missing; keep it on a volume so tokens survive restarts). Default `.data/dev-issuer`. */
  DEV_ISSUER_KEY_DIR: z.string().trim().min(1).default('.data/dev-issuer'),
  /** client_secret of the `order-server` service client; the client is registered only when this is set. At least 16 characters. */
  ORDER_SERVER_CLIENT_SECRET: secret(),
  /** client_secret of the `router` service client; registered only when set. At least 16 characters. */
  ROUTER_CLIENT_SECRET: secret(),
  /** Lifetime of client-credentials tokens, in seconds. Default 900 (15 minutes). */
  SERVICE_TOKEN_TTL_SECONDS: positiveInt(900),
});

/** The parsed settings of the standalone dev issuer. */
export type DevIssuerConfig = z.output<typeof devIssuerConfigSchema>;

/**
 * The service clients to register: the dev stack's clients (same ids and allowed scopes as `npm start`), each
 * with the secret from this environment instead of the dev stack's public one; a client without a secret is left out.
 */
export function serviceClientsOf(config: DevIssuerConfig): DevServiceClient[] {
  const secrets = { 'order-server': config.ORDER_SERVER_CLIENT_SECRET, router: config.ROUTER_CLIENT_SECRET };
  return Object.values(DEV_SERVICE_CLIENTS).flatMap((client) => {
    const clientSecret = secrets[client.id as keyof typeof secrets];
    return clientSecret === undefined ? [] : [{ id: client.id, secret: clientSecret, scopes: client.scopes }];
  });
}
