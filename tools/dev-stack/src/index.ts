export {
  DEFAULT_PORT_BASE,
  PORT_BASE,
  PORT_BASE_VARIABLE,
  PORT_OFFSETS,
  SERVICES,
  STACK_PORTS,
  commonServerEnv,
  databaseNameOf,
  databaseUrlOf,
  databaseUrlVariableOf,
  defineServices,
  domainsOf,
  mcpUrl,
  parsePortBase,
  resourceOf,
  serviceUrl,
  stackPorts,
} from './services.ts';
export type { PortBaseSetting, ServiceDefinition, SetupCommand, StackEnvironment, StackPorts } from './services.ts';
export { DEV_ISSUER_DIR, DEV_ISSUER_PORT, DEV_ISSUER_URL, DEV_JWKS_URL, FEDERATION_AUDIENCE } from './workspace.ts';
export { DEV_TOKEN_TTL_SECONDS, loadDevIssuer, stackProviderOptions } from './dev-issuer.ts';
export { DEV_APPROVAL_CLIENTS, DEV_CLI_CLIENT, DEV_SERVICE_CLIENTS, devProviderClients } from './service-clients.ts';
export type { DevApprovalClientId, DevClientResources, DevServiceClient, DevServiceClientId } from './service-clients.ts';
export { DEMO_SHOPPER_CUSTOMER_ID, DEMO_USERS } from './demo-users.ts';
export type { DemoUser, DemoUserName } from './demo-users.ts';
export { clientCredentialsToken, loginToken } from './dev-login.ts';
export type { ClientCredentialsTokenOptions, LoginTokenOptions } from './dev-login.ts';
export { formatLogLine } from './log-format.ts';
export type { LogLineFormat, NameColor } from './log-format.ts';
export { freePort, freePortBase, isPortTaken } from './ports.ts';
export { pidFileOf, readPidFile, readStackFile, runDirOf, stackFileOf } from './stack-file.ts';
export type { StackFile } from './stack-file.ts';
