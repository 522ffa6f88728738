export { ConfigError } from './config-error.ts';
export type { ConfigIssue } from './config-error.ts';
export { commonServerEnv, resolvePublicUrl } from './common-server-env.ts';
export type { PublicUrlSettings } from './common-server-env.ts';
export { LOG_LEVELS, bool, csv, durationMs, logLevel, port, positiveInt, url } from './env-values.ts';
export type { LogLevel, UrlOptions } from './env-values.ts';
export { EX_CONFIG, loadConfigOrExit } from './load-config-or-exit.ts';
export { parseConfig } from './parse-config.ts';
