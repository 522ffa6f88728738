export { CLIENT_KINDS, CLIENT_LOCATIONS, TOKEN_VARIABLE, VSCODE_TOKEN_INPUT, buildClientConfig, tokenReference } from './client-config.ts';
export type { ClientConfig, ClientConfigRequest, ClientKind, ConfigAuth, ConfigMode, ConfigTarget, ConfigTransport, StdioLaunch } from './client-config.ts';
export { CLIENT_CONFIG_USAGE, parseClientConfigArgs } from './client-config-args.ts';
export type { ClientConfigArgs } from './client-config-args.ts';
export { DEFAULT_ROLE, ROLES, ROLE_PRESETS } from './roles.ts';
export type { Role, RolePreset } from './roles.ts';
export { REPO_ROOT, ROUTER_ENTRY, stackTargets } from './stack-targets.ts';
export type { StackTargetsOptions } from './stack-targets.ts';
