import { z } from 'zod';
import type { DevProviderClient, DevProviderOptions } from '@mcpfed/auth/dev-provider';
import type { DevIssuer } from '@mcpfed/auth';
import { csv, port, positiveInt, url } from '@mcpfed/config';
import { SCOPES } from '@mcpfed/contract-common';
import { DEMO_USERS, devProviderClients } from '@mcpfed/dev-stack';

const secret = () => z.string().min(16).max(512).optional();
/** A server's resource identifier (RFC 8707): its AUTH_AUDIENCE, `<PUBLIC_URL>/mcp`. */
const resource = (defaultPort: number) => url({ protocols: ['http', 'https'] }).default(`http://127.0.0.1:${defaultPort}/mcp`);

/** Environment of the standalone dev issuer (`node tools/dev-issuer/src/main.ts serve | token`). */
export const devIssuerConfigSchema = z
  .object({
    /** The `iss` of every token; the servers' AUTH_ISSUER. Default `http://127.0.0.1:8090` (compose: `http://dev-issuer:8090`). */
    DEV_ISSUER_URL: url({ protocols: ['http', 'https'] }).default('http://127.0.0.1:8090'),
    /** Interface to listen on. Default `127.0.0.1` (compose: `0.0.0.0`). */
    DEV_ISSUER_HOST: z.string().trim().default('127.0.0.1'),
    /** TCP port to listen on. Default 8090. */
    DEV_ISSUER_PORT: port(8090),
    /** Directory of the signing key (created 0700 when missing; keep it on a volume so tokens survive restarts). Default `.data/dev-issuer`. */
    DEV_ISSUER_KEY_DIR: z.string().trim().min(1).default('.data/dev-issuer'),
    /**
     * Every server's resource (its AUTH_AUDIENCE, `<PUBLIC_URL>/mcp`), comma-separated: tokens are issued and exchanged
     * for these only. Default the `npm start` servers' (`http://127.0.0.1:8080/mcp` to `http://127.0.0.1:8084/mcp`).
     */
    DEV_ISSUER_RESOURCES: csv.default(() => [8080, 8081, 8082, 8083, 8084].map((serverPort) => `http://127.0.0.1:${serverPort}/mcp`)),
    /** The router's resource, one of DEV_ISSUER_RESOURCES: the router exchanges tokens addressed to it. Default `http://127.0.0.1:8080/mcp`. */
    ROUTER_RESOURCE: resource(8080),
    /** The order server's resource: it exchanges tokens addressed to it; its approval page's callback is on the same origin. Default `http://127.0.0.1:8082/mcp`. */
    ORDER_RESOURCE: resource(8082),
    /** The payment server's resource: its approval page's callback is on the same origin. Default `http://127.0.0.1:8084/mcp`. */
    PAYMENT_RESOURCE: resource(8084),
    /** client_secret of the `order-server` service client; the client is registered only when this is set. At least 16 characters. */
    ORDER_SERVER_CLIENT_SECRET: secret(),
    /** client_secret of the `router` service client; registered only when set. At least 16 characters. */
    ROUTER_CLIENT_SECRET: secret(),
    /** client_secret of the order server's approval page (`order-approvals`); registered only when set. At least 16 characters. */
    ORDER_APPROVAL_CLIENT_SECRET: secret(),
    /** client_secret of the payment server's approval page (`payment-approvals`); registered only when set. At least 16 characters. */
    PAYMENT_APPROVAL_CLIENT_SECRET: secret(),
    /** Lifetime of access tokens (client credentials, login, token exchange), in seconds. Default 900 (15 minutes). */
    ACCESS_TOKEN_TTL_SECONDS: positiveInt(900),
  })
  .superRefine((config, ctx) => {
    for (const name of ['ROUTER_RESOURCE', 'ORDER_RESOURCE', 'PAYMENT_RESOURCE'] as const) {
      if (!config.DEV_ISSUER_RESOURCES.includes(config[name])) ctx.addIssue({ code: 'custom', path: [name], message: 'must be one of DEV_ISSUER_RESOURCES' });
    }
  });

/** The parsed settings of the standalone dev issuer. */
export type DevIssuerConfig = z.output<typeof devIssuerConfigSchema>;

/**
 * The clients to register: the dev stack's (same ids, scopes, exchange audiences and redirect URIs as `npm start`,
 * for this deployment's resources), each confidential one with the secret from this environment instead of the dev
 * stack's public one; a confidential client without a secret here is left out. The public command-line client
 * (authorization code + PKCE, no secret) stays.
 */
export function providerClientsOf(config: DevIssuerConfig): DevProviderClient[] {
  const secrets: Readonly<Record<string, string | undefined>> = {
    'order-server': config.ORDER_SERVER_CLIENT_SECRET,
    router: config.ROUTER_CLIENT_SECRET,
    'order-approvals': config.ORDER_APPROVAL_CLIENT_SECRET,
    'payment-approvals': config.PAYMENT_APPROVAL_CLIENT_SECRET,
  };
  const clients = devProviderClients({ router: config.ROUTER_RESOURCE, order: config.ORDER_RESOURCE, payment: config.PAYMENT_RESOURCE });
  return clients.flatMap((client) => {
    if (client.secret === undefined) return [client];
    const configured = secrets[client.id];
    return configured === undefined ? [] : [{ ...client, secret: configured }];
  });
}

/**
 * What the provider knows: the servers' resources, every federation scope, {@link providerClientsOf} and the
 * dev stack's demo users (their development passwords are public: the issuer is for a local evaluation only).
 */
export function providerOptionsOf(config: DevIssuerConfig, issuer: DevIssuer): DevProviderOptions {
  return {
    issuer,
    resources: config.DEV_ISSUER_RESOURCES,
    scopes: SCOPES,
    clients: providerClientsOf(config),
    users: Object.values(DEMO_USERS),
    accessTokenTtlSeconds: config.ACCESS_TOKEN_TTL_SECONDS,
  };
}
