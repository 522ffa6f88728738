import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { deployableApps } from '../src/apps.ts';
import { checkAppEnvironments } from '../src/check-app-environment.ts';
import { BUDGET_BEGIN, BUDGET_END, budgetTable, connectionBudget } from '../src/connection-budget.ts';
import { findObject, specOf } from '../src/kube-workload.ts';
import type { KubeDeployment } from '../src/kube-workload.ts';
import { renderKustomization } from '../src/render-kustomization.ts';
import { REPO_ROOT } from '../src/repo-root.ts';

const README = path.join(REPO_ROOT, 'deploy', 'README.md');

describe('connection budget', () => {
  it('deploy/README.md states, per overlay of a domain server, the connections it may open at its HPA maximum during a rollout', async () => {
    const servers = (await deployableApps()).filter((app) => app.hasDatabase);
    const overlays = servers.flatMap((app) =>
      ['production', 'staging'].map((environment) => ({ app: app.name, overlay: `${app.name.replace(/-server$/, '')}/${environment}` })),
    );
    const budgets = await Promise.all(
      overlays.map(async ({ app, overlay }) => {
        const objects = await renderKustomization(`deploy/k8s/overlays/${overlay}`);
        const maxReplicas = specOf<{ maxReplicas: number }>(findObject(objects, 'HorizontalPodAutoscaler', app)).maxReplicas;
        const maxSurge = Number(specOf<KubeDeployment>(findObject(objects, 'Deployment', app)).strategy?.rollingUpdate?.maxSurge);
        // The pool sizes the app itself arrives at from its ConfigMap (its schema's defaults otherwise).
        const config = objects.find((object) => object.kind === 'ConfigMap' && object.metadata.name.startsWith(`${app}-config-`));
        const env = {
          ...((config?.['data'] ?? {}) as Record<string, string>),
          DATABASE_URL: 'postgres://app@db.example.internal/app',
          MCPFED_ENV: 'development',
        };
        const [verdict] = await checkAppEnvironments(app, [env]);
        if (verdict?.ok !== true) throw new Error(`${overlay}: ${verdict?.ok === false ? verdict.problems.join('; ') : 'no verdict'}`);
        // A server without the read-only SQL tool has no SQL_POOL_MAX: no second pool.
        return connectionBudget(overlay, maxReplicas, maxSurge, Number(verdict.config['DB_POOL_MAX']), Number(verdict.config['SQL_POOL_MAX'] ?? 0));
      }),
    );
    for (const budget of budgets) {
      expect(Number.isInteger(budget.total) && budget.maxSurge === 1 && budget.perPod > 0, budget.overlay).toBe(true);
    }
    const table = budgetTable(budgets);
    const generated = (text: string) => text.slice(text.indexOf(BUDGET_BEGIN), text.indexOf(BUDGET_END) + BUDGET_END.length);
    const before = await readFile(README, 'utf8');
    expect(before.indexOf(BUDGET_BEGIN), 'deploy/README.md has the connection budget markers').toBeGreaterThanOrEqual(0);
    if (process.env['UPDATE_DEPLOY_README'] === '1') await writeFile(README, before.replace(generated(before), table));
    expect(generated(await readFile(README, 'utf8')), 'regenerate with UPDATE_DEPLOY_README=1 npx nx test deploy-checks').toBe(table);
  }, 120_000);
});
