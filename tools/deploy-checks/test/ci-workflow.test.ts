import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { deployableApps } from '../src/apps.ts';
import { ownersOf, parseCodeOwners } from '../src/code-owners.ts';
import type { CodeOwnersRule } from '../src/code-owners.ts';
import { REPO_ROOT } from '../src/repo-root.ts';
import { runCommand } from '../src/run-command.ts';

interface Step {
  id?: string;
  if?: string;
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
}
interface Job {
  needs?: string | string[];
  if?: string;
  permissions?: Record<string, string>;
  'runs-on': string;
  services?: Record<string, { image: string; ports: string[]; options?: string; env?: Record<string, string> }>;
  steps: Step[];
}

const NX_ENV = { NX_DAEMON: 'false', NX_NO_CLOUD: 'true' };

async function nx(args: readonly string[]): Promise<string> {
  const result = await runCommand(path.join(REPO_ROOT, 'node_modules', '.bin', 'nx'), args, { cwd: REPO_ROOT, env: NX_ENV });
  if (result.code !== 0) throw new Error(`nx ${args.join(' ')} failed: ${result.stderr}`);
  return result.stdout;
}

describe('.github/workflows/ci.yml', () => {
  let workflow: { on: Record<string, unknown>; env: Record<string, string>; jobs: Record<string, Job> };

  beforeAll(async () => {
    workflow = parse(await readFile(path.join(REPO_ROOT, '.github', 'workflows', 'ci.yml'), 'utf8')) as typeof workflow;
  });

  it('runs on pull requests and on pushes to main', () => {
    expect(Object.keys(workflow.on).sort()).toEqual(['pull_request', 'push']);
    expect(workflow.on['push']).toEqual({ branches: ['main'] });
  });

  it('runs nx affected lint/typecheck/test/build against the base nx-set-shas finds, on a full clone', () => {
    const steps = workflow.jobs['affected']?.steps ?? [];
    const at = (predicate: (step: Step) => boolean) => steps.findIndex(predicate);
    const checkout = at((step) => step.uses?.startsWith('actions/checkout@') === true);
    const install = at((step) => step.run?.startsWith('npm ci') === true);
    const shas = at((step) => step.uses?.startsWith('nrwl/nx-set-shas@') === true);
    const affected = at((step) => /npx nx affected -t lint typecheck test build\b/.test(step.run ?? ''));
    expect(steps[checkout]?.with?.['fetch-depth']).toBe(0);
    expect([checkout, install, shas, affected].every((index) => index >= 0)).toBe(true);
    expect(checkout < install && install < shas && shas < affected).toBe(true);
    const setupNode = steps.find((step) => step.uses?.startsWith('actions/setup-node@'));
    expect(setupNode?.with?.['node-version']).toBe(24);
  });

  it('gives the tests real PostgreSQL and Redis services with healthchecks, at the URLs the test setup reads', () => {
    const services = workflow.jobs['affected']?.services ?? {};
    expect(Object.keys(services).sort()).toEqual(['postgres', 'redis']);
    expect(services['postgres']?.ports).toEqual(['5432:5432']);
    expect(services['redis']?.ports).toEqual(['6379:6379']);
    for (const service of Object.values(services)) expect(service.options).toMatch(/--health-cmd/);
    expect(workflow.env['TEST_DATABASE_URL']).toBe('postgres://postgres@127.0.0.1:5432/postgres');
    expect(workflow.env['TEST_REDIS_URL']).toBe('redis://127.0.0.1:6379');
    expect(workflow.env).toMatchObject(NX_ENV);
  });

  it('has an end-to-end job that runs the compose stack and calls the router, and an image build per affected app', () => {
    const e2e = workflow.jobs['e2e'];
    expect(e2e?.needs).toBe('affected');
    const runs = (e2e?.steps ?? []).map((step) => step.run ?? '').join('\n');
    expect(runs).toContain('docker compose up -d --build');
    expect(runs).toContain('http://127.0.0.1:8080/readyz');
    expect(runs).toContain('http://127.0.0.1:8080/mcp');
    expect(runs).toContain('docker compose down -v');
  });

  it("builds each affected app's image from the Dockerfile with an SBOM and provenance, tagged only with the commit sha, pushed from main only", () => {
    const images = workflow.jobs['images'];
    expect(images?.needs).toBe('affected');
    expect(images?.permissions).toEqual({ contents: 'read', packages: 'write' });
    const steps = images?.steps ?? [];
    const step = (action: string) => steps.find((candidate) => candidate.uses?.startsWith(`${action}@`) === true);
    expect(steps.map((candidate) => candidate.uses?.replace(/@.*/, ''))).toEqual([
      'actions/checkout',
      'docker/setup-buildx-action',
      'docker/login-action',
      'docker/metadata-action',
      'docker/build-push-action',
    ]);
    expect(step('docker/login-action')?.if).toBe("github.event_name == 'push'");
    expect(step('docker/metadata-action')?.with).toEqual({
      images: 'ghcr.io/${{ github.repository }}/${{ matrix.app }}',
      tags: 'type=sha,format=long,prefix=',
    });
    expect(step('docker/build-push-action')?.with).toMatchObject({
      context: '.',
      file: 'deploy/docker/Dockerfile',
      'build-args': 'APP=${{ matrix.app }}',
      push: "${{ github.event_name == 'push' }}",
      tags: '${{ steps.meta.outputs.tags }}',
      sbom: true,
      provenance: 'mode=max',
    });
    // The workflow only runs on pushes to main (and pull requests): a push event is main.
    expect(workflow.on['push']).toEqual({ branches: ['main'] });
    expect(JSON.stringify(workflow)).not.toMatch(/:latest\b|type=raw|type=ref/);
  });

  it('pins every action to a major release, the current one of each (all on the Node 24 action runtime)', () => {
    const uses = Object.values(workflow.jobs).flatMap((job) => job.steps.flatMap((step) => (step.uses === undefined ? [] : [step.uses])));
    expect(uses.length).toBeGreaterThan(0);
    for (const action of uses) expect(action).toMatch(/^[\w-]+\/[\w-]+@v\d+$/);
    // Raise these with the workflow when a new major is out.
    const current: Record<string, string> = {
      'actions/checkout': 'v7',
      'actions/setup-node': 'v7',
      'nrwl/nx-set-shas': 'v5',
      'docker/setup-buildx-action': 'v4',
      'docker/login-action': 'v4',
      'docker/metadata-action': 'v6',
      'docker/build-push-action': 'v7',
    };
    for (const action of uses) {
      const [name, version] = action.split('@') as [string, string];
      expect(current[name], `${action}: not in the list of actions this workflow may use`).toBeDefined();
      expect(version, name).toBe(current[name]);
    }
  });
});

describe('.github/CODEOWNERS', () => {
  let rules: CodeOwnersRule[] = [];

  beforeAll(async () => {
    rules = parseCodeOwners(await readFile(path.join(REPO_ROOT, '.github', 'CODEOWNERS'), 'utf8'));
  });

  it('gives each team its app, contract and Kubernetes folders, and the rest to the platform team', async () => {
    const teams = ['customer', 'order', 'product', 'payment'];
    for (const team of teams) {
      for (const file of [
        `apps/${team}-server/src/main.ts`,
        `libs/contracts/${team}/src/index.ts`,
        `deploy/k8s/base/${team}-server/deployment.yaml`,
        `deploy/k8s/overlays/${team}/production/kustomization.yaml`,
      ]) {
        expect(ownersOf(rules, file), file).toEqual([`@mcpfed/${team}`]);
      }
      expect(ownersOf(rules, `tools/workspace-checks/snapshots/${team}.tools.json`)).toEqual([`@mcpfed/${team}`, '@mcpfed/platform']);
    }
    for (const file of ['apps/router/src/main.ts', 'deploy/k8s/overlays/router/staging/kustomization.yaml'])
      expect(ownersOf(rules, file), file).toEqual(['@mcpfed/router']);
    for (const file of [
      'libs/platform/db/src/index.ts',
      'libs/contracts/common/src/index.ts',
      'deploy/docker/Dockerfile',
      'tools/dev-stack/src/main.ts',
      'package.json',
      '.github/workflows/ci.yml',
    ]) {
      expect(ownersOf(rules, file), file).toEqual(['@mcpfed/platform']);
    }
    const owners = new Set(rules.flatMap((rule) => rule.owners));
    const apps = await deployableApps();
    expect([...owners].sort()).toEqual([...apps.map((app) => app.name.replace(/-server$/, '')), 'platform'].map((team) => `@mcpfed/${team}`).sort());
    for (const app of apps) expect(ownersOf(rules, `apps/${app.name}/package.json`), app.name).toEqual([`@mcpfed/${app.name.replace(/-server$/, '')}`]);
  });
});

describe('nx affected', () => {
  it('a change to apps/payment-server alone selects payment-server and what depends on it, not customer-server', async () => {
    const affected = (await nx(['show', 'projects', '--affected', '--files=apps/payment-server/src/main.ts'])).trim().split('\n').filter(Boolean).sort();
    // What depends on payment-server, from the project graph itself.
    const dir = await mkdtemp(path.join(tmpdir(), 'mcpfed-graph-'));
    let dependents: string[];
    try {
      await nx(['graph', `--file=${path.join(dir, 'graph.json')}`]);
      const graph = JSON.parse(await readFile(path.join(dir, 'graph.json'), 'utf8')) as { graph: { dependencies: Record<string, { target: string }[]> } };
      const closure = new Set(['payment-server']);
      for (let grew = true; grew;) {
        grew = false;
        for (const [project, edges] of Object.entries(graph.graph.dependencies)) {
          if (!closure.has(project) && edges.some((edge) => closure.has(edge.target))) {
            closure.add(project);
            grew = true;
          }
        }
      }
      dependents = [...closure].sort();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    expect(affected).toEqual(dependents);
    expect(affected).toContain('payment-server');
    expect(affected).not.toContain('customer-server');
    expect(affected).not.toContain('product-server');
  }, 60_000);

  it("the workflow's image matrix is the affected apps: only payment-server for a payment change", async () => {
    const workflow = parse(await readFile(path.join(REPO_ROOT, '.github', 'workflows', 'ci.yml'), 'utf8')) as { jobs: Record<string, Job> };
    const step = (workflow.jobs['affected']?.steps ?? []).find((candidate) => (candidate as Step & { id?: string }).id === 'apps');
    const command = /\$\((npx nx show projects [^)]*)\)/.exec(step?.run ?? '')?.[1] ?? '';
    expect(command).toBe("npx nx show projects --affected --projects 'tag:type:app' --json");
    const args = ['show', 'projects', '--affected', '--projects', 'tag:type:app', '--json'];
    expect(JSON.parse(await nx([...args, '--files=apps/payment-server/src/main.ts']))).toEqual(['payment-server']);
    expect((JSON.parse(await nx([...args, '--files=libs/platform/errors/src/index.ts'])) as string[]).sort()).toEqual(
      (await deployableApps()).map((app) => app.name).sort(),
    );
  }, 60_000);

  it('a change under deploy/ selects the app it belongs to (and the deployment checks), not the others', async () => {
    const apps = ['show', 'projects', '--affected', '--projects', 'tag:type:app', '--json'];
    expect(JSON.parse(await nx([...apps, '--files=deploy/k8s/base/order-server/deployment.yaml']))).toEqual(['order-server']);
    expect(JSON.parse(await nx([...apps, '--files=deploy/k8s/overlays/payment/production/kustomization.yaml']))).toEqual(['payment-server']);
    expect(JSON.parse(await nx([...apps, '--files=deploy/k8s/overlays/router/staging/ingress.yaml']))).toEqual(['router']);
    expect((JSON.parse(await nx([...apps, '--files=deploy/docker/Dockerfile'])) as string[]).sort()).toEqual(
      (await deployableApps()).map((app) => app.name).sort(),
    );
    const all = (await nx(['show', 'projects', '--affected', '--files=deploy/k8s/base/order-server/hpa.yaml'])).trim().split('\n').sort();
    expect(all).toEqual(['deploy-checks', 'order-server']);
    expect((await nx(['show', 'projects', '--affected', '--files=deploy/observability/prometheus/rules/mcpfed-alerts.yml'])).trim().split('\n')).toEqual([
      'deploy-checks',
    ]);
  }, 120_000);

  it('a change to a platform library selects every server', async () => {
    const affected = (await nx(['show', 'projects', '--affected', '--files=libs/platform/errors/src/index.ts'])).trim().split('\n');
    expect(affected).toEqual(expect.arrayContaining((await deployableApps()).map((app) => app.name)));
  }, 60_000);
});
