import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { deployableApps } from '../src/apps.ts';
import type { DeployableApp } from '../src/apps.ts';
import { checkAppEnvironments } from '../src/check-app-environment.ts';
import { renderKustomization } from '../src/render-kustomization.ts';
import type { KubeObject } from '../src/render-kustomization.ts';
import { REPO_ROOT } from '../src/repo-root.ts';
import { validateKubeObject } from '../src/validate-kube-object.ts';

const K8S = path.join(REPO_ROOT, 'deploy', 'k8s');
/** The team that deploys an app: the router team, or the domain's (`customer-server` -> `customer`). */
const teamOf = (app: string): string => app.replace(/-server$/, '');
const ENVIRONMENTS = ['production', 'staging'];

interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef?: { name: string; key: string }; fieldRef?: { fieldPath: string }; configMapKeyRef?: { name: string; key: string } };
}
interface Container {
  name: string;
  image: string;
  args?: string[];
  env?: EnvVar[];
  envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
  ports?: { name: string; containerPort: number }[];
  livenessProbe?: { httpGet?: { path: string; port: string | number } };
  readinessProbe?: { httpGet?: { path: string; port: string | number } };
  startupProbe?: { httpGet?: { path: string; port: string | number } };
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: { runAsNonRoot?: boolean; readOnlyRootFilesystem?: boolean; allowPrivilegeEscalation?: boolean; capabilities?: { drop?: string[] } };
  volumeMounts?: { name: string; mountPath: string }[];
}
interface PodSpec {
  containers: Container[];
  initContainers?: (Container & { restartPolicy?: string })[];
  securityContext?: { runAsNonRoot?: boolean; runAsUser?: number; runAsGroup?: number; fsGroup?: number };
  serviceAccountName?: string;
  automountServiceAccountToken?: boolean;
  volumes?: { name: string; emptyDir?: object; configMap?: { name: string }; persistentVolumeClaim?: { claimName: string } }[];
}
interface PodTemplate {
  metadata: { labels: Record<string, string>; annotations?: Record<string, string> };
  spec: PodSpec;
}

const find = (objects: readonly KubeObject[], kind: string, name: string): KubeObject | undefined =>
  objects.find((object) => object.kind === kind && object.metadata.name === name);
const spec = <T>(object: KubeObject | undefined): T => (object?.['spec'] ?? {}) as T;
const matches = (selector: Record<string, string>, labels: Record<string, string>): boolean =>
  Object.entries(selector).every(([key, value]) => labels[key] === value);

/**
 * The environment a container would start with: plain values, config maps, secrets as placeholders, $(VAR)
 * expanded. ROUTER_UPSTREAMS names a file mounted from a ConfigMap; the router also takes the JSON itself, so the
 * mounted file's content stands in for the path (and is checked by the router's own parser).
 */
function containerEnvironment(container: Container, objects: readonly KubeObject[], namespace: string, pod?: PodSpec): Record<string, string> {
  const env: Record<string, string> = {};
  for (const source of container.envFrom ?? []) {
    const configMap = source.configMapRef === undefined ? undefined : find(objects, 'ConfigMap', source.configMapRef.name);
    if (source.configMapRef !== undefined && configMap === undefined)
      throw new Error(`${container.name}: envFrom names ConfigMap ${source.configMapRef.name}, which is not rendered`);
    Object.assign(env, (configMap?.['data'] ?? {}) as Record<string, string>);
  }
  for (const variable of container.env ?? []) {
    const from = variable.valueFrom;
    if (from?.fieldRef !== undefined) env[variable.name] = from.fieldRef.fieldPath === 'status.podIP' ? '10.1.2.3' : namespace;
    else if (from?.secretKeyRef !== undefined) env[variable.name] = placeholderSecret(variable.name);
    else if (variable.value !== undefined) env[variable.name] = variable.value.replace(/\$\((\w+)\)/g, (_, name: string) => env[name] ?? '');
  }
  const upstreams = env['ROUTER_UPSTREAMS'];
  if (upstreams !== undefined && upstreams.startsWith('/')) env['ROUTER_UPSTREAMS'] = mountedFile(upstreams, container, objects, pod);
  return env;
}

function mountedFile(file: string, container: Container, objects: readonly KubeObject[], pod: PodSpec | undefined): string {
  const mount = container.volumeMounts?.find((candidate) => file.startsWith(`${candidate.mountPath}/`));
  const volume = (pod?.volumes ?? []).find((candidate) => candidate.name === mount?.name) as { configMap?: { name: string } } | undefined;
  const configMap = volume?.configMap === undefined ? undefined : find(objects, 'ConfigMap', volume.configMap.name);
  const content = ((configMap?.['data'] ?? {}) as Record<string, string>)[path.basename(file)];
  if (mount === undefined || content === undefined) throw new Error(`${container.name}: ${file} is not a file of a mounted ConfigMap`);
  return content;
}

// A value of the right shape for a secret the cluster holds (the checks never see real secrets).
function placeholderSecret(name: string): string {
  if (name === 'DATABASE_URL') return 'postgres://app:secret@db.example.internal:5432/app';
  if (name === 'REDIS_URL') return 'redis://:secret@redis.example.internal:6379';
  // A key of 32 bytes, base64 (`openssl rand -base64 32`).
  if (name === 'CALLER_TOKEN_KEY') return Buffer.alloc(32, 7).toString('base64');
  return 'a-placeholder-secret-of-forty-characters!';
}

describe('Kubernetes manifests', () => {
  let apps: DeployableApp[] = [];
  const rendered = new Map<string, KubeObject[]>();

  beforeAll(async () => {
    apps = await deployableApps();
    const directories = apps.flatMap((app) => [
      ...ENVIRONMENTS.map((environment) => [`${app.name}/${environment}`, `deploy/k8s/overlays/${teamOf(app.name)}/${environment}`] as const),
      [`${app.name}/base`, `deploy/k8s/base/${app.name}`] as const,
    ]);
    // The renders are independent kubectl processes: run them side by side, keep the order for the messages.
    const objects = await Promise.all(directories.map(([, directory]) => renderKustomization(directory)));
    directories.forEach(([key], index) => rendered.set(key, objects[index] ?? []));
  }, 120_000);

  it('has a base per app and an overlay per team and environment, and nothing else', async () => {
    expect((await readdir(path.join(K8S, 'base'))).sort()).toEqual(apps.map((app) => app.name).sort());
    const overlays: string[] = [];
    for (const team of await readdir(path.join(K8S, 'overlays'))) {
      for (const environment of await readdir(path.join(K8S, 'overlays', team))) overlays.push(`${team}/${environment}`);
    }
    expect(overlays.sort()).toEqual(apps.flatMap((app) => ENVIRONMENTS.map((environment) => `${teamOf(app.name)}/${environment}`)).sort());
  });

  it('every rendered object of every base and overlay is valid against the Kubernetes schema', () => {
    const problems = [...rendered].flatMap(([key, objects]) =>
      objects
        .map(validateKubeObject)
        .filter((problem) => problem !== undefined)
        .map((problem) => `${key}: ${problem}`),
    );
    expect(problems).toEqual([]);
    expect(rendered.size).toBe(apps.length * (ENVIRONMENTS.length + 1));
  });

  it('an overlay holds exactly its own app: ServiceAccount, Service, Deployment, HPA, PDB, NetworkPolicy, ServiceMonitor, config', () => {
    for (const app of apps) {
      for (const environment of ENVIRONMENTS) {
        const objects = rendered.get(`${app.name}/${environment}`) ?? [];
        const kinds = objects
          .filter((object) => object.kind !== 'ConfigMap')
          .map((object) => `${object.kind}/${object.metadata.name}`)
          .sort();
        const expected = ['Deployment', 'HorizontalPodAutoscaler', 'NetworkPolicy', 'PodDisruptionBudget', 'Service', 'ServiceAccount', 'ServiceMonitor'].map(
          (kind) => `${kind}/${app.name}`,
        );
        if (app.name === 'router') expected.push('Ingress/router');
        if (app.name === 'product-server') expected.push('PersistentVolumeClaim/product-server-imports');
        expect(kinds, `${app.name}/${environment}`).toEqual(expected.sort());
        expect(new Set(objects.map((object) => object.metadata.namespace)), `${app.name}/${environment}`).toEqual(new Set([`mcpfed-${environment}`]));
        expect(
          objects.filter((object) => object.kind === 'Secret'),
          'secrets are referenced, never rendered',
        ).toEqual([]);
        for (const object of objects) {
          expect(object.metadata.labels?.['app.kubernetes.io/name'], `${object.kind}/${object.metadata.name}`).toBe(app.name);
          expect(object.metadata.labels?.['mcpfed.dev/environment'], `${object.kind}/${object.metadata.name}`).toBe(environment);
        }
      }
    }
  });

  it('every Deployment has probes, resources and non-root, read-only, unprivileged containers with a writable /tmp, without fixed ids (OpenShift)', () => {
    for (const [key, objects] of rendered) {
      const app = key.split('/')[0] as string;
      const template = spec<{ template: PodTemplate }>(find(objects, 'Deployment', app)).template;
      const pod = template.spec;
      expect(pod.securityContext?.runAsNonRoot, key).toBe(true);
      // OpenShift's restricted SCC assigns the UID and groups: a fixed one outside the namespace's range is refused.
      // The image's numeric USER satisfies runAsNonRoot elsewhere.
      expect(pod.securityContext, key).not.toHaveProperty('runAsUser');
      expect(pod.securityContext, key).not.toHaveProperty('runAsGroup');
      expect(pod.securityContext, key).not.toHaveProperty('fsGroup');
      for (const init of pod.initContainers ?? []) {
        expect(init.securityContext, `${key} init ${init.name}`).toEqual(pod.containers[0]?.securityContext);
        const initTmp = init.volumeMounts?.find((mount) => mount.mountPath === '/tmp');
        expect(pod.volumes?.find((volume) => volume.name === initTmp?.name)?.emptyDir, `${key} init ${init.name}`).toBeDefined();
        expect(Object.keys(init.resources?.requests ?? {}).sort(), key).toEqual(['cpu', 'memory']);
      }
      expect(pod.automountServiceAccountToken, key).toBe(false);
      expect(pod.serviceAccountName, key).toBe(app);
      expect(pod.containers).toHaveLength(1);
      const container = pod.containers[0] as Container;
      expect(container.livenessProbe?.httpGet?.path, key).toBe('/healthz');
      expect(container.readinessProbe?.httpGet?.path, key).toBe('/readyz');
      expect(container.startupProbe?.httpGet?.path, key).toBe('/healthz');
      expect(Object.keys(container.resources?.requests ?? {}).sort(), key).toEqual(['cpu', 'memory']);
      expect(container.resources?.limits?.['memory'], key).toBeDefined();
      expect(container.securityContext, key).toMatchObject({
        runAsNonRoot: true,
        readOnlyRootFilesystem: true,
        allowPrivilegeEscalation: false,
        capabilities: { drop: ['ALL'] },
      });
      const tmp = container.volumeMounts?.find((mount) => mount.mountPath === '/tmp');
      expect(pod.volumes?.find((volume) => volume.name === tmp?.name)?.emptyDir, key).toBeDefined();
      expect(container.args, key).toEqual(['node', 'dist/main.js', 'serve']);
    }
  });

  it('ports agree: PORT, the container port, the Service target, the probes and the scrape annotation', () => {
    for (const app of apps) {
      const objects = rendered.get(`${app.name}/production`) ?? [];
      const template = spec<{ template: PodTemplate }>(find(objects, 'Deployment', app.name)).template;
      const container = template.spec.containers[0] as Container;
      expect(container.ports, app.name).toEqual([{ name: 'http', containerPort: app.port, protocol: 'TCP' }]);
      expect(container.env?.find((variable) => variable.name === 'PORT')?.value, app.name).toBe(String(app.port));
      expect(container.livenessProbe?.httpGet?.port).toBe('http');
      expect(template.metadata.annotations).toMatchObject({
        'prometheus.io/scrape': 'true',
        'prometheus.io/port': String(app.port),
        'prometheus.io/path': '/metrics',
      });
      expect(spec<{ ports: unknown[] }>(find(objects, 'Service', app.name)).ports).toEqual([
        { name: 'http', port: app.port, targetPort: 'http', protocol: 'TCP' },
      ]);
    }
  });

  it('selectors pick the serving pods; the HPA scales one Deployment on CPU and on request rate', () => {
    for (const app of apps) {
      const objects = rendered.get(`${app.name}/production`) ?? [];
      const deployment = spec<{ selector: { matchLabels: Record<string, string> }; template: PodTemplate }>(find(objects, 'Deployment', app.name));
      const podLabels = deployment.template.metadata.labels;
      const selectors = {
        deployment: deployment.selector.matchLabels,
        service: spec<{ selector: Record<string, string> }>(find(objects, 'Service', app.name)).selector,
        pdb: spec<{ selector: { matchLabels: Record<string, string> } }>(find(objects, 'PodDisruptionBudget', app.name)).selector.matchLabels,
        networkPolicy: spec<{ podSelector: { matchLabels: Record<string, string> } }>(find(objects, 'NetworkPolicy', app.name)).podSelector.matchLabels,
      };
      for (const [kind, selector] of Object.entries(selectors)) {
        expect(matches(selector, podLabels), `${app.name} ${kind}`).toBe(true);
      }
      const spread =
        (
          deployment.template.spec as PodSpec & {
            topologySpreadConstraints?: { topologyKey: string; labelSelector: { matchLabels: Record<string, string> } }[];
          }
        ).topologySpreadConstraints ?? [];
      expect(
        spread.map((constraint) => constraint.topologyKey),
        app.name,
      ).toEqual(['kubernetes.io/hostname', 'topology.kubernetes.io/zone']);
      for (const constraint of spread) expect(constraint.labelSelector.matchLabels, app.name).toEqual(deployment.selector.matchLabels);
      const hpa = spec<{ scaleTargetRef: { kind: string; name: string }; minReplicas: number; maxReplicas: number; metrics: unknown[] }>(
        find(objects, 'HorizontalPodAutoscaler', app.name),
      );
      expect(hpa.scaleTargetRef).toMatchObject({ kind: 'Deployment', name: app.name });
      // The custom metric prometheus-adapter serves (deploy/observability/prometheus-adapter/values.yaml).
      expect(hpa.metrics).toEqual([
        { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } },
        { type: 'Pods', pods: { metric: { name: 'mcp_http_requests_per_second' }, target: { type: 'AverageValue', averageValue: '50' } } },
      ]);
      expect(hpa.minReplicas).toBeGreaterThanOrEqual(2);
      expect(hpa.maxReplicas).toBeGreaterThan(hpa.minReplicas);
      expect(deployment).not.toHaveProperty('replicas');
    }
  });

  it('only the router and the order server (and Prometheus) may reach a domain server; anyone may reach the router', () => {
    for (const app of apps) {
      const objects = rendered.get(`${app.name}/production`) ?? [];
      const policy = spec<{
        policyTypes: string[];
        ingress: { from?: { podSelector?: { matchLabels: Record<string, string> }; namespaceSelector?: { matchLabels: Record<string, string> } }[] }[];
      }>(find(objects, 'NetworkPolicy', app.name));
      expect(policy.policyTypes).toEqual(['Ingress']);
      const peers = policy.ingress.flatMap((rule) => (rule.from ?? [{}]).map((peer) => JSON.stringify(peer)));
      if (app.name === 'router') {
        expect(peers).toEqual(['{}']);
      } else {
        expect(peers.sort()).toEqual(
          [
            { podSelector: { matchLabels: { 'app.kubernetes.io/name': 'router', 'mcpfed.dev/role': 'serve' } } },
            { podSelector: { matchLabels: { 'app.kubernetes.io/name': 'order-server', 'mcpfed.dev/role': 'serve' } } },
            {
              namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } },
              podSelector: { matchLabels: { 'app.kubernetes.io/name': 'prometheus' } },
            },
          ]
            .map((peer) => JSON.stringify(peer))
            .sort(),
        );
      }
    }
  });

  it('product imports live on a claim every replica shares, which outlives the pod', () => {
    for (const environment of ENVIRONMENTS) {
      const objects = rendered.get(`product-server/${environment}`) ?? [];
      const pod = spec<{ template: PodTemplate }>(find(objects, 'Deployment', 'product-server')).template.spec;
      const mount = pod.containers[0]?.volumeMounts?.find((candidate) => candidate.mountPath === '/data/imports');
      const volume = pod.volumes?.find((candidate) => candidate.name === mount?.name);
      expect(volume?.persistentVolumeClaim, environment).toEqual({ claimName: 'product-server-imports' });
      expect(spec<{ accessModes: string[] }>(find(objects, 'PersistentVolumeClaim', 'product-server-imports')).accessModes, environment).toEqual([
        'ReadWriteMany',
      ]);
      const config = objects.find((object) => object.kind === 'ConfigMap' && object.metadata.name.startsWith('product-server-config-'));
      expect(((config?.['data'] ?? {}) as Record<string, string>)['PRODUCT_IMPORT_DIR'], environment).toBe('/data/imports');
    }
  });

  it('overlays pin the image of their app from the registry, with a tag', () => {
    for (const app of apps) {
      for (const environment of ENVIRONMENTS) {
        const objects = rendered.get(`${app.name}/${environment}`) ?? [];
        const container = spec<{ template: PodTemplate }>(find(objects, 'Deployment', app.name)).template.spec.containers[0] as Container;
        expect(container.image).toMatch(new RegExp(`^registry\\.example\\.com/mcpfed/${app.name}:[\\w.-]+$`));
        expect(container.image.endsWith(':latest')).toBe(false);
      }
    }
  });

  it("secrets come only from the app's own Secret, by reference, and no config map holds one", () => {
    for (const [key, objects] of rendered) {
      const app = key.split('/')[0] as string;
      const pod = spec<{ template: PodTemplate }>(find(objects, 'Deployment', app)).template.spec;
      for (const variable of [...pod.containers, ...(pod.initContainers ?? [])].flatMap((container) => container.env ?? [])) {
        if (variable.valueFrom?.secretKeyRef !== undefined)
          expect(variable.valueFrom.secretKeyRef, `${key} ${variable.name}`).toEqual({ name: `${app}-secrets`, key: variable.name });
        if (/SECRET|PASSWORD|DATABASE_URL|REDIS_URL/.test(variable.name))
          expect(variable.valueFrom?.secretKeyRef, `${key} ${variable.name} must come from a Secret`).toBeDefined();
      }
      for (const configMap of objects.filter((object) => object.kind === 'ConfigMap')) {
        const sensitive = Object.keys((configMap['data'] ?? {}) as Record<string, string>).filter((name) =>
          /SECRET|PASSWORD|DATABASE_URL|REDIS_URL/.test(name),
        );
        expect(sensitive, `${key} ConfigMap/${configMap.metadata.name}`).toEqual([]);
      }
    }
  });

  it("the environment of every container (servers and their migration init containers) parses with the app's own config schema", async () => {
    const failures: string[] = [];
    for (const app of apps) {
      const workloads = [...rendered]
        .filter(([key]) => key.startsWith(`${app.name}/`))
        .flatMap(([key, objects]) =>
          objects
            .filter((object) => object.kind === 'Deployment')
            .flatMap((workload) => {
              const pod = spec<{ template: PodTemplate }>(workload).template.spec;
              return [...pod.containers, ...(pod.initContainers ?? [])].map((container) => ({ key, objects, workload, container, pod }));
            }),
        );
      const envs = workloads.map(({ objects, workload, container, pod }) =>
        containerEnvironment(container, objects, workload.metadata.namespace ?? 'default', pod),
      );
      const verdicts = await checkAppEnvironments(app.name, envs);
      verdicts.forEach((verdict, index) => {
        const { key, workload, container } = workloads[index] as (typeof workloads)[number];
        if (!verdict.ok) failures.push(`${key} ${workload.kind}/${workload.metadata.name} ${container.name}: ${verdict.problems.join('; ')}`);
      });
      expect(verdicts).toHaveLength(workloads.length);
    }
    expect(failures).toEqual([]);
  }, 120_000);

  it('the Host allow-list admits the pod IP (probes, scrapes), the Service names and, for the router, its public name', () => {
    for (const app of apps) {
      for (const environment of ENVIRONMENTS) {
        const objects = rendered.get(`${app.name}/${environment}`) ?? [];
        const pod = spec<{ template: PodTemplate }>(find(objects, 'Deployment', app.name)).template.spec;
        const env = containerEnvironment(pod.containers[0] as Container, objects, `mcpfed-${environment}`, pod);
        const hosts = (env['ALLOWED_HOSTS'] ?? '').split(',');
        expect(hosts, `${app.name}/${environment}`).toEqual(
          expect.arrayContaining(['10.1.2.3', 'localhost', '127.0.0.1', app.name, `${app.name}.mcpfed-${environment}.svc`]),
        );
        expect(hosts, `${app.name}/${environment}: PUBLIC_URL's host`).toContain(new URL(env['PUBLIC_URL'] ?? 'http://missing').hostname);
      }
    }
  });

  it("the router's Ingress names its class, needs no controller annotation, serves its public name over TLS to its Service port, and that name is its PUBLIC_URL", () => {
    for (const environment of ENVIRONMENTS) {
      const objects = rendered.get(`router/${environment}`) ?? [];
      expect(find(objects, 'Ingress', 'router')?.metadata.annotations, environment).toBeUndefined();
      expect(spec<{ ingressClassName?: string }>(find(objects, 'Ingress', 'router')).ingressClassName, environment).toBe('nginx');
      const ingress = spec<{
        tls: { hosts: string[]; secretName: string }[];
        rules: { host: string; http: { paths: { path: string; backend: { service: { name: string; port: { name: string } } } }[] } }[];
      }>(find(objects, 'Ingress', 'router'));
      const config = objects.find((object) => object.kind === 'ConfigMap' && object.metadata.name.startsWith('router-config-'));
      const publicUrl = new URL(((config?.['data'] ?? {}) as Record<string, string>)['PUBLIC_URL'] ?? 'http://missing');
      expect(publicUrl.protocol, environment).toBe('https:');
      expect(ingress.tls).toEqual([{ hosts: [publicUrl.hostname], secretName: 'router-tls' }]);
      expect(ingress.rules.map((rule) => rule.host)).toEqual([publicUrl.hostname]);
      // Only MCP and its metadata are public: /status and /metrics name internal upstream addresses.
      expect(ingress.rules[0]?.http.paths.map((route) => route.path)).toEqual(['/mcp', '/.well-known/oauth-protected-resource']);
      for (const route of ingress.rules[0]?.http.paths ?? []) expect(route.backend.service).toEqual({ name: 'router', port: { name: 'http' } });
    }
  });

  it("the router's upstreams file names every domain server at its Service", async () => {
    const upstreams = JSON.parse(await readFile(path.join(K8S, 'base', 'router', 'upstreams.json'), 'utf8')) as { upstreams: { name: string; url: string }[] };
    const servers = apps.filter((app) => app.name !== 'router');
    expect(upstreams.upstreams.map((upstream) => [upstream.name, upstream.url]).sort()).toEqual(
      servers.map((app) => [app.name.replace(/-server$/, ''), `http://${app.name}:${app.port}/mcp`]).sort(),
    );
  });
});
