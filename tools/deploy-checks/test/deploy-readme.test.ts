import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { deployableApps } from '../src/apps.ts';
import { ENVIRONMENT_BEGIN, ENVIRONMENT_END, SHARED_ENVIRONMENTS, renderEnvironmentTables } from '../src/environment-tables.ts';
import { REPO_ROOT } from '../src/repo-root.ts';

const README = path.join(REPO_ROOT, 'deploy', 'README.md');

const readme = () => readFile(README, 'utf8');

/** The variables a config file declares: `NAME:` keys of its schema object. */
async function declaredVariables(file: string): Promise<string[]> {
  const text = await readFile(path.join(REPO_ROOT, file), 'utf8');
  return [...new Set([...text.matchAll(/^\s+([A-Z][A-Z0-9_]+):\s/gm)].map((match) => match[1] as string))];
}

describe('deploy/README.md', () => {
  it('explains every environment variable of every app under that app', async () => {
    if (process.env['UPDATE_DEPLOY_README'] === '1') {
      const current = await readme();
      const begin = current.indexOf(ENVIRONMENT_BEGIN);
      const end = current.indexOf(ENVIRONMENT_END);
      expect(begin >= 0 && end > begin, 'the environment markers are missing from deploy/README.md').toBe(true);
      await writeFile(README, current.slice(0, begin) + (await renderEnvironmentTables(await deployableApps())) + current.slice(end + ENVIRONMENT_END.length));
    }
    const text = await readme();
    const missing: string[] = [];
    // A variable an app takes from a shared helper (and only refines, e.g. a default computed in its transform) is
    // explained once, in the shared section.
    const shared = new Set<string>();
    for (const { file } of SHARED_ENVIRONMENTS) {
      for (const name of await declaredVariables(file)) {
        shared.add(name);
        if (!text.includes(`| \`${name}\` |`)) missing.push(`${file}: ${name}`);
      }
    }
    for (const app of await deployableApps()) {
      const section = text.split(`### ${app.name} (`)[1]?.split('\n### ')[0] ?? '';
      for (const name of await declaredVariables(`apps/${app.name}/src/config.ts`))
        if (!section.includes(`| \`${name}\` |`) && !shared.has(name)) missing.push(`${app.name}: ${name}`);
    }
    expect(missing, 'regenerate the tables with UPDATE_DEPLOY_README=1 npx nx test deploy-checks').toEqual([]);
  });

  it('lists each Secret with exactly the keys the manifests read', async () => {
    const text = await readme();
    for (const app of await deployableApps()) {
      const deployment = parse(await readFile(path.join(REPO_ROOT, 'deploy', 'k8s', 'base', app.name, 'deployment.yaml'), 'utf8')) as {
        spec: { template: { spec: { containers: { env: { valueFrom?: { secretKeyRef?: { key: string } } }[] }[] } } };
      };
      const keys =
        deployment.spec.template.spec.containers[0]?.env.flatMap((variable) =>
          variable.valueFrom?.secretKeyRef ? [variable.valueFrom.secretKeyRef.key] : [],
        ) ?? [];
      const row = new RegExp(`^\\| \`${app.name}-secrets\` \\| (.*) \\|$`, 'm').exec(text)?.[1] ?? '';
      expect(
        row.split(', ').map((key) => key.replace(/`/g, '')),
        app.name,
      ).toEqual(keys);
    }
  });
});
