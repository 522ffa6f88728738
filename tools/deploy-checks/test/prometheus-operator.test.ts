import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { deployableApps } from '../src/apps.ts';
import { definedMetricNames } from '../src/defined-metric-names.ts';
import type { DeployableApp } from '../src/apps.ts';
import { findObject, specOf } from '../src/kube-workload.ts';
import { PROMETHEUS_RULE_FILE, RULES_FILE, prometheusRuleManifest } from '../src/prometheus-rule.ts';
import { renderKustomization } from '../src/render-kustomization.ts';
import type { KubeObject } from '../src/render-kustomization.ts';
import { REPO_ROOT } from '../src/repo-root.ts';
import { validateCustomResource } from '../src/validate-custom-resource.ts';

interface ServiceMonitorSpec {
  selector: { matchLabels: Record<string, string> };
  endpoints: { port: string; path: string; relabelings: { sourceLabels?: string[]; targetLabel: string; replacement?: string }[] }[];
}

const teamOf = (app: string): string => app.replace(/-server$/, '');
/** Prometheus' name for a Kubernetes label in service discovery meta labels. */
const metaLabel = (label: string): string => `__meta_kubernetes_service_label_${label.replace(/[^a-zA-Z0-9_]/g, '_')}`;

describe('Prometheus operator objects (kube-prometheus-stack CRDs)', () => {
  let apps: DeployableApp[] = [];
  const overlays = new Map<string, KubeObject[]>();
  let monitoring: KubeObject[] = [];

  beforeAll(async () => {
    apps = await deployableApps();
    const keys = apps.flatMap((app) => ['production', 'staging'].map((environment) => [app.name, environment] as const));
    const objects = await Promise.all(keys.map(([app, environment]) => renderKustomization(`deploy/k8s/overlays/${teamOf(app)}/${environment}`)));
    keys.forEach(([app, environment], index) => overlays.set(`${app}/${environment}`, objects[index] ?? []));
    monitoring = await renderKustomization('deploy/observability');
  }, 120_000);

  it('the CRD schema check refuses what the API server would refuse, and flags a field it would silently drop', () => {
    const good = findObject(overlays.get('order-server/production') ?? [], 'ServiceMonitor', 'order-server') as KubeObject;
    expect(validateCustomResource(good)).toEqual([]);
    const endpoint = (specOf<ServiceMonitorSpec>(good).endpoints[0] ?? {}) as object;
    const wrongType = { ...good, spec: { ...specOf<object>(good), endpoints: [{ ...endpoint, scheme: 'gopher' }] } };
    expect(validateCustomResource(wrongType)).toEqual([expect.stringMatching(/^\/spec\/endpoints\/0\/scheme must be equal to one of the allowed values/)]);
    const misspelt = { ...good, spec: { ...specOf<object>(good), endpoints: [{ ...endpoint, relabellings: [] }] } };
    expect(validateCustomResource(misspelt)).toEqual(['/spec/endpoints/0/relabellings is not a field of the CRD (the API server would drop it)']);
    const rule = { apiVersion: 'monitoring.coreos.com/v1', kind: 'PrometheusRule', metadata: { name: 'x' }, spec: { groups: [{ rules: [] }] } };
    expect(validateCustomResource(rule)).toEqual(["/spec/groups/0 must have required property 'name'"]);
  });

  it('each app has a ServiceMonitor that selects its Service, scrapes its http port and labels job, app, team and environment', () => {
    for (const [key, objects] of overlays) {
      const app = key.split('/')[0] as string;
      const environment = key.split('/')[1] as string;
      const monitor = findObject(objects, 'ServiceMonitor', app);
      expect(monitor && validateCustomResource(monitor), key).toEqual([]);
      const service = findObject(objects, 'Service', app);
      const monitorSpec = specOf<ServiceMonitorSpec>(monitor);
      for (const [label, value] of Object.entries(monitorSpec.selector.matchLabels)) expect(service?.metadata.labels?.[label], `${key} ${label}`).toBe(value);
      const servicePorts = specOf<{ ports: { name: string }[] }>(service).ports.map((port) => port.name);
      expect(
        monitorSpec.endpoints.map((endpoint) => [endpoint.port, endpoint.path]),
        key,
      ).toEqual([['http', '/metrics']]);
      expect(servicePorts, key).toContain('http');
      // What each relabeling yields for this Service: the labels every rule and dashboard relies on.
      const labels = Object.fromEntries(
        (monitorSpec.endpoints[0]?.relabelings ?? []).map((relabel) => {
          const source = relabel.sourceLabels?.[0];
          const fromLabel = Object.entries(service?.metadata.labels ?? {}).find(([label]) => metaLabel(label) === source)?.[1];
          return [relabel.targetLabel, relabel.replacement ?? fromLabel];
        }),
      );
      expect(labels, key).toEqual({ job: 'mcpfed', app, team: teamOf(app), environment });
    }
  });

  it('deploy/observability renders a valid PrometheusRule holding exactly the rules Prometheus is tested with', async () => {
    const rule = findObject(monitoring, 'PrometheusRule', 'mcpfed-alerts');
    expect(rule?.metadata.namespace).toBe('monitoring');
    expect(rule && validateCustomResource(rule)).toEqual([]);
    const expected = await prometheusRuleManifest();
    if (process.env['UPDATE_PROMETHEUS_RULE'] === '1') await writeFile(PROMETHEUS_RULE_FILE, expected);
    expect(await readFile(PROMETHEUS_RULE_FILE, 'utf8'), 'regenerate with UPDATE_PROMETHEUS_RULE=1 npx nx test deploy-checks').toBe(expected);
    const rules = parse(await readFile(RULES_FILE, 'utf8')) as { groups: unknown };
    expect(specOf<{ groups: unknown }>(rule).groups).toEqual(rules.groups);
  });

  it('deploy/observability ships every Grafana dashboard in a ConfigMap for the kube-prometheus-stack sidecar', async () => {
    const configMap = findObject(monitoring, 'ConfigMap', 'mcpfed-dashboards');
    expect(configMap?.metadata.labels?.['grafana_dashboard']).toBe('1');
    const data = (configMap?.['data'] ?? {}) as Record<string, string>;
    const dashboards = path.join(REPO_ROOT, 'deploy', 'observability', 'grafana', 'dashboards');
    expect(Object.keys(data).sort()).toEqual(['mcpfed-checkout-saga.json', 'mcpfed-federation.json', 'mcpfed-server.json']);
    for (const [file, content] of Object.entries(data)) expect(content, file).toBe(await readFile(path.join(dashboards, file), 'utf8'));
    expect(monitoring.map((object) => `${object.kind}/${object.metadata.name}`).sort()).toEqual([
      'ConfigMap/mcpfed-dashboards',
      'PrometheusRule/mcpfed-alerts',
    ]);
  });

  it('prometheus-adapter serves the request-rate metric every HPA scales on, from a metric the code defines', async () => {
    const values = parse(await readFile(path.join(REPO_ROOT, 'deploy', 'observability', 'prometheus-adapter', 'values.yaml'), 'utf8')) as {
      rules: { default: boolean; custom: { seriesQuery: string; name: { matches: string; as: string }; metricsQuery: string }[] };
    };
    expect(values.rules.custom).toHaveLength(1);
    const rule = values.rules.custom[0];
    const series = /^(\w+)\{/.exec(rule?.seriesQuery ?? '')?.[1] ?? '';
    expect((await definedMetricNames()).has(series), series).toBe(true);
    expect(rule?.name.matches).toBe(`^${series}$`);
    expect(rule?.metricsQuery).toContain('rate(<<.Series>>{<<.LabelMatchers>>');
    for (const [key, objects] of overlays) {
      const metrics = specOf<{ metrics: { type: string; pods?: { metric: { name: string } } }[] }>(
        findObject(objects, 'HorizontalPodAutoscaler', key.split('/')[0] as string),
      ).metrics;
      expect(
        metrics.filter((metric) => metric.type === 'Pods').map((metric) => metric.pods?.metric.name),
        key,
      ).toEqual([rule?.name.as]);
    }
  });
});
