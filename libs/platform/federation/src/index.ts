export { createFederationClient } from './federation-client.ts';
export type { FederationCallContext, FederationClient, FederationClientConfig } from './federation-client.ts';
export { readRpcAnswer } from './read-rpc-answer.ts';
export type { RpcAnswer } from './read-rpc-answer.ts';
