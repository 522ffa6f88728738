export { createFederationClient } from './federation-client.ts';
export type { FederationCallContext, FederationClient, FederationClientConfig } from './federation-client.ts';
