import type { DevServiceClient } from '@mcpfed/auth';
import { SCOPES } from '@mcpfed/contract-common';

/** The apps that call other servers with their own service token (client credentials), by client id. */
export type DevServiceClientId = 'order-server' | 'router';

/**
 * The service clients the dev issuer registers (`npm start`), with their dev-only secrets: the stack passes
 * `SERVICE_CLIENT_ID` and `SERVICE_CLIENT_SECRET` from here to each app. These secrets are public (they are in
 * the repository); a real deployment registers its clients with its own OIDC provider and keeps the secrets
 * in its secret store. The apps find the dev issuer's token endpoint in its metadata (discovery). (This module imports nothing of the stack, so `services.ts` can import it without a cycle.)
 * - `order-server`: the checkout saga's calls to customer, product and payment.
 * - `router`: every scope, because it discovers the whole catalog and then filters it per caller.
 */
export const DEV_SERVICE_CLIENTS: Readonly<Record<DevServiceClientId, DevServiceClient>> = Object.freeze({
  'order-server': Object.freeze({
    id: 'order-server',
    secret: 'dev-only-order-server-secret-3f9c2a71',
    scopes: Object.freeze(['customer:read', 'customer:any', 'product:read', 'product:write', 'payment:read', 'payment:write', 'payment:refund']),
  }),
  router: Object.freeze({
    id: 'router',
    secret: 'dev-only-router-secret-8d41e6b5',
    scopes: SCOPES,
  }),
});

