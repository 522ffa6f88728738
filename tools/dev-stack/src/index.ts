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
  serviceUrl,
  stackPorts,
} from './services.ts';
export type { PortBaseSetting, ServiceDefinition, SetupCommand, StackEnvironment, StackPorts } from './services.ts';
export { DEV_ISSUER_DIR, DEV_ISSUER_PORT, DEV_ISSUER_URL, DEV_JWKS_URL, FEDERATION_AUDIENCE } from './workspace.ts';
export { loadDevIssuer } from './dev-issuer.ts';
export { DEV_SERVICE_CLIENTS } from './service-clients.ts';
export type { DevServiceClientId } from './service-clients.ts';
export { formatLogLine } from './log-format.ts';
export type { LogLineFormat, NameColor } from './log-format.ts';
export { freePort, freePortBase, isPortTaken } from './ports.ts';
export { pidFileOf, readPidFile, readStackFile, runDirOf, stackFileOf } from './stack-file.ts';
export type { StackFile } from './stack-file.ts';
