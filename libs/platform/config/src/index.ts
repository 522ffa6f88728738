export { ConfigError } from './config-error.ts';
export type { ConfigIssue } from './config-error.ts';
export { commonServerEnv, resolvePublicUrl } from './common-server-env.ts';
export { DEVELOPMENT_AUDIT_DIGEST_KEY, domainServerEnv } from './domain-server-env.ts';
export { sqlToolEnv } from './sql-tool-env.ts';
export type { PublicUrlSettings } from './common-server-env.ts';
export {
  DEPLOYMENT_ENVIRONMENTS,
  LOG_LEVELS,
  bool,
  csv,
  deploymentEnvironment,
  durationMs,
  logLevel,
  port,
  positiveInt,
  redisKeyPrefix,
  secret,
  url,
} from './env-values.ts';
export type { DeploymentEnvironment, LogLevel, UrlOptions } from './env-values.ts';
export { requireSecretsOutsideDevelopment } from './require-secrets-outside-development.ts';
export type { DevelopmentValues, WithSecrets } from './require-secrets-outside-development.ts';
export { EX_CONFIG, exitOnConfigError, loadConfigOrExit } from './load-config-or-exit.ts';
export { parseConfig } from './parse-config.ts';
export { parseCommandArgs } from './parse-command-args.ts';
export type { CommandArgValues, CommandOptions } from './parse-command-args.ts';
