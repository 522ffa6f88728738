export { createDevProvider } from './create-dev-provider.ts';
export type { DevProvider, DevProviderClient, DevProviderOptions, DevProviderUser } from './create-dev-provider.ts';
export { ACCESS_TOKEN_TYPE, TOKEN_EXCHANGE_GRANT_TYPE } from './token-exchange-grant.ts';
