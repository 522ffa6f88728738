import { beforeAll, describe, expect, it } from 'vitest';
import { deployableApps } from '../src/apps.ts';
import type { DeployableApp } from '../src/apps.ts';
import { findObject, specOf } from '../src/kube-workload.ts';
import type { KubeDeployment } from '../src/kube-workload.ts';
import { renderKustomization } from '../src/render-kustomization.ts';
import type { KubeObject } from '../src/render-kustomization.ts';

const ENVIRONMENTS = ['production', 'staging'];
const teamOf = (app: string): string => app.replace(/-server$/, '');

/**
 * A new version never serves before its migrations are applied, whatever applies the manifests (`kubectl apply -k`,
 * Argo CD, Flux: no hook, no ordering between objects, nothing to delete first):
 * - the migration is an init container of the server's own pod, so it runs the migrations of exactly the image the
 *   pod serves, with the server's settings, and Kubernetes starts the server container only after it exited 0;
 * - the server turns ready only through /readyz, which also fails while the schema lacks a bundled migration;
 * - the rolling update takes no old pod away before a new one is ready (maxUnavailable 0).
 */
describe('rollout order: migrations before the new version serves', () => {
  let servers: DeployableApp[] = [];
  let router: DeployableApp | undefined;
  const rendered = new Map<string, KubeObject[]>();

  beforeAll(async () => {
    const apps = await deployableApps();
    servers = apps.filter((app) => app.hasDatabase);
    router = apps.find((app) => !app.hasDatabase);
    const overlays = apps.flatMap((app) =>
      ENVIRONMENTS.map((environment) => [`${app.name}/${environment}`, `deploy/k8s/overlays/${teamOf(app.name)}/${environment}`] as const),
    );
    const objects = await Promise.all(overlays.map(([, directory]) => renderKustomization(directory)));
    overlays.forEach(([key], index) => rendered.set(key, objects[index] ?? []));
  }, 120_000);

  it('renders every overlay, and no overlay holds a separate migration Job or a sync hook that would race the rollout', () => {
    expect(servers.map((app) => app.name)).toEqual(expect.arrayContaining(['customer-server', 'order-server', 'payment-server', 'product-server']));
    expect(rendered.size).toBe((servers.length + 1) * ENVIRONMENTS.length);
    for (const [key, objects] of rendered) {
      expect(
        objects.filter((object) => object.kind === 'Job' || object.kind === 'CronJob').map((object) => object.metadata.name),
        key,
      ).toEqual([]);
      const hooks = objects.flatMap((object) =>
        Object.keys(object.metadata.annotations ?? {}).filter((name) => /argocd\.argoproj\.io\/hook|helm\.sh\/hook|kustomize\.toolkit\.fluxcd\.io/.test(name)),
      );
      expect(hooks, key).toEqual([]);
    }
  });

  it('each server pod first runs `migrate` of its own image, with its own settings, to completion', () => {
    for (const app of servers) {
      for (const environment of ENVIRONMENTS) {
        const key = `${app.name}/${environment}`;
        const pod = specOf<KubeDeployment>(findObject(rendered.get(key) ?? [], 'Deployment', app.name)).template.spec;
        const server = pod.containers.find((container) => container.name === app.name);
        expect(
          pod.containers.map((container) => container.name),
          key,
        ).toEqual([app.name]);
        // The only init container, and a plain one: a sidecar (restartPolicy Always) would not hold the server back.
        expect(
          pod.initContainers?.map((container) => container.name),
          key,
        ).toEqual(['migrate']);
        const migrate = pod.initContainers?.[0];
        expect(migrate?.restartPolicy, key).toBeUndefined();
        expect(migrate?.args, key).toEqual(['node', 'dist/main.js', 'migrate']);
        // The overlay's image transform reaches the init container too: the same tag, never an older migration.
        expect(migrate?.image, key).toBe(server?.image);
        expect(migrate?.image, key).toMatch(new RegExp(`^registry\\.example\\.com/mcpfed/${app.name}:[\\w.-]+$`));
        expect(migrate?.env, key).toEqual(server?.env);
        expect(migrate?.envFrom, key).toEqual(server?.envFrom);
        expect(server?.args, key).toEqual(['node', 'dist/main.js', 'serve']);
      }
    }
  });

  it('a new pod becomes ready only through /readyz, and the old pods serve until it is (maxUnavailable 0)', () => {
    for (const app of [...servers, ...(router === undefined ? [] : [router])]) {
      for (const environment of ENVIRONMENTS) {
        const key = `${app.name}/${environment}`;
        const deployment = specOf<KubeDeployment>(findObject(rendered.get(key) ?? [], 'Deployment', app.name));
        expect(deployment.strategy, key).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } });
        expect(deployment.template.spec.containers[0]?.readinessProbe?.httpGet?.path, key).toBe('/readyz');
      }
    }
  });

  it('the router owns no database and runs no migration', () => {
    for (const environment of ENVIRONMENTS) {
      const pod = specOf<KubeDeployment>(findObject(rendered.get(`router/${environment}`) ?? [], 'Deployment', 'router')).template.spec;
      expect(pod.initContainers ?? []).toEqual([]);
    }
  });
});
