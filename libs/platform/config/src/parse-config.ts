import type { z } from 'zod';
import { ConfigError } from './config-error.ts';
import type { ConfigIssue } from './config-error.ts';
import { describeValue } from './describe-value.ts';

/**
 * Environments often carry a set-but-empty variable (`PORT=` in a compose file); it means "not set",
 * so that defaults apply and a required setting is reported as `required`.
 */
function withoutEmptyValues(env: Record<string, string | undefined>): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (value !== undefined && value.trim() !== '') result[name] = value;
  }
  return result;
}

function toIssues(error: z.ZodError, env: Record<string, string>): ConfigIssue[] {
  const bySetting = new Map<string, { raw: string | undefined; problems: string[] }>();
  for (const issue of error.issues) {
    const setting = issue.path.map(String).join('.');
    const raw = issue.path.length > 0 ? env[String(issue.path[0])] : undefined;
    const entry = bySetting.get(setting) ?? { raw, problems: [] };
    // A custom issue about an unset setting says why it is required (e.g. a secret outside development).
    const problem = issue.path.length > 0 && raw === undefined && issue.code !== 'custom' ? 'required' : issue.message;
    if (!entry.problems.includes(problem)) entry.problems.push(problem);
    bySetting.set(setting, entry);
  }
  return [...bySetting].map(([setting, { raw, problems }]) => ({
    setting,
    message: problems.join(', ') + (raw === undefined ? '' : describeValue(setting, raw)),
  }));
}

/**
 * Parses an environment with an app's zod schema (typically `z.object({ ...commonServerEnv(8081), … })`).
 * Empty values count as unset. On failure throws a {@link ConfigError} whose message is one line naming
 * every bad setting, e.g.
 * `invalid configuration: PORT: expected an integer between 1 and 65535 (got "abc"); DATABASE_URL: required`.
 * Values of settings whose names contain SECRET, PASSWORD, TOKEN or KEY are never echoed, and
 * credentials inside echoed URLs are masked.
 * @param schema The app's environment schema.
 * @param env The environment, e.g. `process.env` (only `main.ts`/`config.ts` of an app read it).
 */
export function parseConfig<S extends z.ZodType>(schema: S, env: Record<string, string | undefined>): z.output<S> {
  const input = withoutEmptyValues(env);
  const result = schema.safeParse(input);
  if (!result.success) throw new ConfigError(toIssues(result.error, input));
  return result.data;
}
