import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { deployableApps } from '../src/apps.ts';
import { REPO_ROOT } from '../src/repo-root.ts';

const readme = () => readFile(path.join(REPO_ROOT, 'deploy', 'README.md'), 'utf8');

/** The variables a config file declares: `NAME:` keys of its schema object. */
async function declaredVariables(file: string): Promise<string[]> {
  const text = await readFile(path.join(REPO_ROOT, file), 'utf8');
  return [...new Set([...text.matchAll(/^\s+([A-Z][A-Z0-9_]+):\s/gm)].map((match) => match[1] as string))];
}

describe('deploy/README.md', () => {
  it('explains every environment variable of every app under that app', async () => {
    const text = await readme();
    const missing: string[] = [];
    for (const name of await declaredVariables('libs/platform/config/src/common-server-env.ts')) if (!text.includes(`| \`${name}\` |`)) missing.push(`common: ${name}`);
    for (const app of await deployableApps()) {
      const section = text.split(`### ${app.name} (`)[1]?.split('\n### ')[0] ?? '';
      for (const name of await declaredVariables(`apps/${app.name}/src/config.ts`)) if (!section.includes(`| \`${name}\` |`)) missing.push(`${app.name}: ${name}`);
    }
    expect(missing).toEqual([]);
  });

  it('lists each Secret with exactly the keys the manifests read', async () => {
    const text = await readme();
    for (const app of await deployableApps()) {
      const deployment = parse(await readFile(path.join(REPO_ROOT, 'deploy', 'k8s', 'base', app.name, 'deployment.yaml'), 'utf8')) as {
        spec: { template: { spec: { containers: { env: { valueFrom?: { secretKeyRef?: { key: string } } }[] }[] } } };
      };
      const keys = deployment.spec.template.spec.containers[0]?.env.flatMap((variable) => (variable.valueFrom?.secretKeyRef ? [variable.valueFrom.secretKeyRef.key] : [])) ?? [];
      const row = new RegExp(`^\\| \`${app.name}-secrets\` \\| (.*) \\|$`, 'm').exec(text)?.[1] ?? '';
      expect(row.split(', ').map((key) => key.replace(/`/g, '')), app.name).toEqual(keys);
    }
  });
});
