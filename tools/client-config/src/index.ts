export { CLIENT_KINDS, CLIENT_LOCATIONS, buildClientConfig } from './client-config.ts';
export type { ClientConfig, ClientConfigRequest, ClientKind, ConfigMode, ConfigTarget, ConfigTransport, StdioLaunch } from './client-config.ts';
export { CLIENT_CONFIG_USAGE, parseClientConfigArgs } from './client-config-args.ts';
export type { ClientConfigArgs } from './client-config-args.ts';
export { REPO_ROOT, ROUTER_ENTRY, stackTargets } from './stack-targets.ts';
export type { StackTargetsOptions } from './stack-targets.ts';
