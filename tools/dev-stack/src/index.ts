export { SERVICES, commonServerEnv, databaseNameOf, databaseUrlOf, databaseUrlVariableOf, domainsOf, mcpUrl, serviceUrl } from './services.ts';
export type { ServiceDefinition, SetupCommand, StackEnvironment } from './services.ts';
export { DEV_ISSUER_DIR, DEV_ISSUER_PORT, DEV_ISSUER_URL, DEV_JWKS_URL, FEDERATION_AUDIENCE } from './workspace.ts';
export { loadDevIssuer } from './dev-issuer.ts';
export { formatLogLine } from './log-format.ts';
export type { LogLineFormat, NameColor } from './log-format.ts';
export { freePort, isPortTaken } from './ports.ts';
