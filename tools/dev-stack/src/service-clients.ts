import type { DevProviderClient } from '@mcpfed/auth/dev-provider';
import { SCOPES } from '@mcpfed/contract-common';

/** The apps that call other servers with their own service token (client credentials), by client id. */
export type DevServiceClientId = 'order-server' | 'router';

/** A confidential client of the dev provider with its development secret. */
export interface DevServiceClient {
  /** `client_id` (`SERVICE_CLIENT_ID`, `APPROVAL_CLIENT_ID`), also the `sub` / `act.sub` of its tokens. */
  readonly id: string;
  /** Its development-only `client_secret`. */
  readonly secret: string;
  /** Scopes it may ask for. */
  readonly scopes: readonly string[];
  /**
   * Scopes it may add to a caller's when it exchanges the caller's token (RFC 8693), for the steps it takes on its
   * own behalf for that caller. Default none.
   */
  readonly actorScopes?: readonly string[];
}

/**
 * The service clients the dev provider registers (`npm start`), with their dev-only secrets: the stack passes
 * `SERVICE_CLIENT_ID` and `SERVICE_CLIENT_SECRET` from here to each app. These secrets are public (they are in
 * the repository); a real deployment registers its clients with its own OIDC provider and keeps the secrets
 * in its secret store. The apps find the provider's token endpoint in its metadata (discovery). (This module
 * imports nothing of the stack, so `services.ts` can import it without a cycle.)
 * - `order-server`: the checkout saga's calls to customer, product and payment. It exchanges the caller's token
 *   for one per server; its actor scopes let a shopper's checkout read the address, reserve stock and charge
 *   (the shopper's own token holds no product:write or payment:write), never customer:any.
 * - `router`: every scope, because it discovers the whole catalog and then filters it per caller.
 */
export const DEV_SERVICE_CLIENTS: Readonly<Record<DevServiceClientId, DevServiceClient>> = Object.freeze({
  'order-server': Object.freeze({
    id: 'order-server',
    secret: 'dev-only-order-server-secret-3f9c2a71',
    scopes: Object.freeze(['customer:read', 'customer:any', 'product:read', 'product:write', 'payment:read', 'payment:write', 'payment:refund']),
    actorScopes: Object.freeze(['customer:read', 'product:read', 'product:write', 'payment:read', 'payment:write']),
  }),
  router: Object.freeze({
    id: 'router',
    secret: 'dev-only-router-secret-8d41e6b5',
    scopes: SCOPES,
  }),
});

/** The servers with an approval page, where a person logs in at the dev provider (authorization code). */
export type DevApprovalClientId = 'order-approvals' | 'payment-approvals';

/**
 * The confidential clients of the order and payment servers' approval pages (`APPROVAL_CLIENT_ID` and
 * `APPROVAL_CLIENT_SECRET`): a person logs in at the provider and the page receives the code at
 * `<PUBLIC_URL>/approvals/callback` (see {@link devProviderClients}). Development-only secrets, as above.
 */
export const DEV_APPROVAL_CLIENTS: Readonly<Record<DevApprovalClientId, DevServiceClient>> = Object.freeze({
  'order-approvals': Object.freeze({ id: 'order-approvals', secret: 'dev-only-order-approvals-secret-6b0e19d4', scopes: Object.freeze(['openid', ...SCOPES]) }),
  'payment-approvals': Object.freeze({
    id: 'payment-approvals',
    secret: 'dev-only-payment-approvals-secret-a27c5f38',
    scopes: Object.freeze(['openid', ...SCOPES]),
  }),
});

/**
 * The public client `npm run token -- --user …` logs in with (authorization code + PKCE, no secret). It never
 * listens on its redirect URI: the command posts the login form itself and reads the code from the redirect.
 */
export const DEV_CLI_CLIENT = Object.freeze({ id: 'mcpfed-cli', redirectUri: 'http://127.0.0.1/token-cli/callback' });

/** The resource (`<PUBLIC_URL>/mcp`) of each server of a stack that has an approval page or exchanges tokens. */
export interface DevClientResources {
  readonly router: string;
  readonly order: string;
  readonly payment: string;
}

/** Every client the dev provider of a stack registers, given the resources (and so the ports) of that stack. */
export function devProviderClients(resources: DevClientResources): DevProviderClient[] {
  const callback = (resource: string) => new URL('/approvals/callback', resource).href;
  return [
    // The router lists its upstreams with its own token and exchanges its callers' tokens (addressed to it).
    { ...DEV_SERVICE_CLIENTS.router, exchangeAudiences: [resources.router] },
    { ...DEV_SERVICE_CLIENTS['order-server'], exchangeAudiences: [resources.order] },
    { ...DEV_APPROVAL_CLIENTS['order-approvals'], redirectUris: [callback(resources.order)] },
    { ...DEV_APPROVAL_CLIENTS['payment-approvals'], redirectUris: [callback(resources.payment)] },
    { id: DEV_CLI_CLIENT.id, scopes: SCOPES, redirectUris: [DEV_CLI_CLIENT.redirectUri] },
  ];
}
