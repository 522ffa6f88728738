import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { REPO_ROOT } from './repo-root.ts';
import { runCommand } from './run-command.ts';

/** What an app's own config schema says about an environment. */
export type AppEnvironmentVerdict =
  | { readonly ok: true; /** The parsed settings, as JSON (values the schema defaulted included). */ readonly config: Readonly<Record<string, unknown>> }
  | { readonly ok: false; readonly problems: readonly string[] };

// Runs in a child process: imports the app's src/config.ts, takes its one `…ConfigSchema` export and parses the
// environments read from stdin (a JSON array) with it; empty values count as unset, as the apps' parseConfig does.
const CHILD = `
const [configUrl] = process.argv.slice(1);
const mod = await import(configUrl);
const schemas = Object.entries(mod).filter(([name, value]) => /ConfigSchema$/.test(name) && typeof value?.safeParse === 'function');
let input = '';
for await (const chunk of process.stdin) input += chunk;
const verdicts = JSON.parse(input).map((given) => {
  if (schemas.length !== 1) return { ok: false, problems: ['expected one *ConfigSchema export, found ' + schemas.map(([n]) => n).join(', ')] };
  const env = Object.fromEntries(Object.entries(given).filter(([, v]) => typeof v === 'string' && v.trim() !== ''));
  const result = schemas[0][1].safeParse(env);
  return result.success ? { ok: true, config: JSON.parse(JSON.stringify(result.data)) } : { ok: false, problems: result.error.issues.map((i) => i.path.join('.') + ': ' + (env[i.path[0]] === undefined ? 'required' : i.message)) };
});
console.log(JSON.stringify(verdicts));
`;

/**
 * Parses each of `envs` with the app's own config schema (apps/<app>/src/config.ts) in one child process, exactly
 * as the app would at start, so a deployment that misses a required variable or sets a bad value fails here.
 * Returns one verdict per environment, in order. The app's module is run, not imported: tools do not depend on apps.
 */
export async function checkAppEnvironments(app: string, envs: readonly Readonly<Record<string, string>>[]): Promise<AppEnvironmentVerdict[]> {
  const configUrl = pathToFileURL(path.join(REPO_ROOT, 'apps', app, 'src', 'config.ts')).href;
  const result = await runCommand(process.execPath, ['--input-type=module', '-e', CHILD, configUrl], { cwd: REPO_ROOT, stdin: JSON.stringify(envs) });
  if (result.code !== 0) {
    const problem = `could not evaluate apps/${app}/src/config.ts: ${result.stderr.trim().split('\n').slice(0, 5).join(' ')}`;
    return envs.map(() => ({ ok: false, problems: [problem] }));
  }
  return JSON.parse(result.stdout.trim().split('\n').at(-1) ?? '[]') as AppEnvironmentVerdict[];
}
