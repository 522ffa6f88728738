import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { DeployableApp } from './apps.ts';
import { REPO_ROOT } from './repo-root.ts';

/** Where the generated tables sit in deploy/README.md. */
export const ENVIRONMENT_BEGIN = '<!-- environment:begin (UPDATE_DEPLOY_README=1 npx nx test deploy-checks regenerates it) -->';
/** End of the generated tables. */
export const ENVIRONMENT_END = '<!-- environment:end -->';

/**
 * The `NAME` keys of a config file's schema, each with its JSDoc as one line. Keys declared one after the other under
 * a single JSDoc (`CUSTOMER_MCP_AUDIENCE`, `PRODUCT_MCP_AUDIENCE`, ...) share it.
 */
export async function documentedVariables(file: string): Promise<Array<{ name: string; doc: string }>> {
  const text = await readFile(path.join(REPO_ROOT, file), 'utf8');
  const found: Array<{ name: string; doc: string }> = [];
  for (const match of text.matchAll(/\/\*\*((?:[^*]|\*(?!\/))*)\*\/((?:\s*\n\s*[A-Z][A-Z0-9_]+:[^\n]*)+)/g)) {
    const doc = (match[1] ?? '')
      .split('\n')
      .map((line) => line.trim().replace(/^\*\s?/, ''))
      .join(' ')
      .trim()
      .replace(/\{@link ([^}]+)\}/g, '$1')
      .replace(/\|/g, '\\|');
    for (const key of (match[2] ?? '').matchAll(/^\s*([A-Z][A-Z0-9_]+):/gm)) {
      const name = key[1] as string;
      if (!found.some((entry) => entry.name === name)) found.push({ name, doc });
    }
  }
  return found;
}

function table(rows: ReadonlyArray<{ name: string; doc: string }>): string {
  return ['| variable | meaning (default, unit) |', '|---|---|', ...rows.map((row) => `| \`${row.name}\` | ${row.doc} |`)].join('\n');
}

/** The config files of settings every app or every domain server shares, each with its section title. */
export const SHARED_ENVIRONMENTS: ReadonlyArray<{ file: string; title: string }> = [
  { file: 'libs/platform/config/src/common-server-env.ts', title: 'Every server and the router (libs/platform/config `commonServerEnv`)' },
  { file: 'libs/platform/config/src/domain-server-env.ts', title: 'Every domain server (libs/platform/config `domainServerEnv`)' },
  { file: 'libs/platform/config/src/sql-tool-env.ts', title: "Every domain server's read-only SQL tool (libs/platform/config `sqlToolEnv`)" },
];

/** The environment section of deploy/README.md: the shared variables, then one table per app. */
export async function renderEnvironmentTables(apps: readonly DeployableApp[]): Promise<string> {
  const parts: string[] = [];
  // Only the first documentation of a name counts: the schema's own, not the helper types' further down.
  for (const shared of SHARED_ENVIRONMENTS) parts.push(`### ${shared.title}\n\n${table(await documentedVariables(shared.file))}`);
  for (const app of apps) {
    const file = `apps/${app.name}/src/config.ts`;
    parts.push(`### ${app.name} (${app.port}) — ${file}\n\n${table(await documentedVariables(file))}`);
  }
  return `${ENVIRONMENT_BEGIN}\n\n${parts.join('\n\n')}\n\n${ENVIRONMENT_END}`;
}
