import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse, stringify } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { deployableApps } from '../src/apps.ts';
import { definedMetricNames, isDefinedMetric } from '../src/defined-metric-names.ts';
import { metricNamesIn } from '../src/promql-metric-names.ts';
import { REPO_ROOT } from '../src/repo-root.ts';
import { requireTool, runCommand } from '../src/run-command.ts';

const OBSERVABILITY = path.join(REPO_ROOT, 'deploy', 'observability');
const PROMETHEUS = path.join(OBSERVABILITY, 'prometheus');
const DASHBOARDS = path.join(OBSERVABILITY, 'grafana', 'dashboards');
const PROMTOOL = process.env['PROMTOOL'] ?? 'promtool';
const PROMTOOL_HINT = 'Debian: apt-get install prometheus (.ci/run does), or set PROMTOOL';

interface Rule {
  alert?: string;
  record?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

interface Panel {
  id: number;
  title: string;
  type: string;
  datasource?: { type: string; uid: string };
  targets?: { expr: string; refId: string; datasource?: { uid: string } }[];
}

async function ruleFiles(): Promise<string[]> {
  return (await readdir(path.join(PROMETHEUS, 'rules'))).filter((file) => file.endsWith('.yml')).map((file) => path.join(PROMETHEUS, 'rules', file));
}

async function rules(): Promise<Rule[]> {
  const all: Rule[] = [];
  for (const file of await ruleFiles()) {
    const document = parse(await readFile(file, 'utf8')) as { groups: { rules: Rule[] }[] };
    for (const group of document.groups) all.push(...group.rules);
  }
  return all;
}

async function dashboards(): Promise<{ file: string; dashboard: { uid: string; title: string; panels: Panel[] } }[]> {
  const files = (await readdir(DASHBOARDS)).filter((file) => file.endsWith('.json')).sort();
  return Promise.all(files.map(async (file) => ({ file, dashboard: JSON.parse(await readFile(path.join(DASHBOARDS, file), 'utf8')) })));
}

describe('Prometheus configuration', () => {
  beforeAll(() => requireTool(PROMTOOL, ['--version'], PROMTOOL_HINT));

  it('prometheus.yml (compose) passes promtool check config, with its rule files', async () => {
    const result = await runCommand(PROMTOOL, ['check', 'config', 'prometheus.yml'], { cwd: PROMETHEUS });
    expect(result.stderr + result.stdout).toContain('SUCCESS');
    expect(result.code, result.stderr + result.stdout).toBe(0);
  });

  it('prometheus-kubernetes.yml passes promtool check config and discovers the pods of both mcpfed namespaces', async () => {
    const text = await readFile(path.join(PROMETHEUS, 'prometheus-kubernetes.yml'), 'utf8');
    const config = parse(text) as {
      rule_files: string[];
      scrape_configs: { job_name: string; kubernetes_sd_configs?: { role: string; namespaces: { names: string[] } }[] }[];
    };
    const job = config.scrape_configs.find((scrape) => scrape.job_name === 'mcpfed');
    expect(job?.kubernetes_sd_configs).toEqual([{ role: 'pod', namespaces: { names: ['mcpfed-staging', 'mcpfed-production'] } }]);
    let result = await runCommand(PROMTOOL, ['check', 'config', 'prometheus-kubernetes.yml'], { cwd: PROMETHEUS });
    if (result.code !== 0 && /field kubernetes_sd_configs not found/.test(result.stdout + result.stderr)) {
      // Debian's promtool is built without Kubernetes discovery. Check everything else (relabelling, rule files)
      // with static targets standing in for the discovered pods.
      delete job?.kubernetes_sd_configs;
      Object.assign(job ?? {}, { static_configs: [{ targets: ['10.1.2.3:8081'] }] });
      config.rule_files = config.rule_files.map((glob) => path.join(PROMETHEUS, glob));
      const dir = await mkdtemp(path.join(tmpdir(), 'mcpfed-prometheus-'));
      try {
        await writeFile(path.join(dir, 'prometheus.yml'), stringify(config));
        result = await runCommand(PROMTOOL, ['check', 'config', path.join(dir, 'prometheus.yml')]);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    }
    expect(result.stderr + result.stdout).toContain('SUCCESS');
    expect(result.code, result.stderr + result.stdout).toBe(0);
  });

  it('the alert rules pass promtool check rules', async () => {
    const result = await runCommand(PROMTOOL, ['check', 'rules', ...(await ruleFiles())]);
    expect(result.code, result.stderr + result.stdout).toBe(0);
  });

  it('the alert rules pass their unit tests (promtool test rules): each fires on bad series and stays quiet on good ones', async () => {
    const result = await runCommand(PROMTOOL, ['test', 'rules', 'mcpfed-alerts.test.yml'], { cwd: PROMETHEUS });
    expect(result.code, result.stderr + result.stdout).toBe(0);
    expect(result.stdout + result.stderr).toContain('SUCCESS');
  });

  it('covers the alerts the federation needs, each with a severity and a summary', async () => {
    const alerts = (await rules()).filter((rule) => rule.alert !== undefined);
    const names = alerts.map((rule) => rule.alert);
    for (const needed of [
      'McpToolErrorRateHigh',
      'McpToolLatencyP95High',
      'UpstreamBreakerOpen',
      'RouterUpstreamBreakerOpen',
      'QueueBacklog',
      'DbPoolSaturated',
      'CheckoutSagaStuck',
    ]) {
      expect(names).toContain(needed);
    }
    for (const alert of alerts) {
      expect(['critical', 'warning', 'info'], alert.alert).toContain(alert.labels?.['severity']);
      expect(alert.annotations?.['summary'], alert.alert).toBeTruthy();
    }
  });

  it('every alert links its runbook: a section of deploy/runbooks/<group>.md named after the alert', async () => {
    const alerts = (await rules()).filter((rule) => rule.alert !== undefined);
    for (const alert of alerts) {
      const url = alert.annotations?.['runbook_url'] ?? '';
      const match = /\/deploy\/runbooks\/([a-z-]+\.md)#([a-z0-9-]+)$/.exec(url);
      expect(match, `${alert.alert}: ${url}`).not.toBeNull();
      expect(match?.[2], alert.alert).toBe(alert.alert?.toLowerCase());
      const page = await readFile(path.join(REPO_ROOT, 'deploy', 'runbooks', match?.[1] ?? 'missing.md'), 'utf8');
      expect(page.split('\n'), alert.alert).toContain(`## ${alert.alert}`);
    }
  });

  it('keeps environments apart: every aggregation groups by environment; absent() watches the scrape itself', async () => {
    const all = await rules();
    for (const rule of all) {
      expect(rule.expr, rule.alert).not.toMatch(/\bwithout\s*\(/);
      for (const by of rule.expr.matchAll(/\bby\s*\(([^)]*)\)/g))
        expect(
          by[1]?.split(',').map((label) => label.trim()),
          `${rule.alert}: ${by[0]}`,
        ).toContain('environment');
    }
    const absent = all.filter((rule) => /\babsent\(/.test(rule.expr)).map((rule) => rule.alert);
    expect(absent).toEqual(['McpfedMetricsAbsent']);
    expect(all.find((rule) => rule.alert === 'McpfedAppMissing')?.expr).toMatch(
      /max_over_time\(up\{job="mcpfed"\}\[1d\]\)\)\s+unless\s+count by \(environment, app\)/,
    );
  });

  it('every rule names only metrics the code defines', async () => {
    const defined = await definedMetricNames();
    const unknown = (await rules()).flatMap((rule) =>
      metricNamesIn(rule.expr)
        .filter((name) => !isDefinedMetric(name, defined))
        .map((name) => `${rule.alert ?? rule.record}: ${name}`),
    );
    expect(unknown).toEqual([]);
  });

  it('every queue a rule names is a queue the code creates', async () => {
    const queues = new Set((await rules()).flatMap((rule) => [...rule.expr.matchAll(/\bqueue="([^"]+)"/g)].map((match) => match[1] as string)));
    expect(queues.size).toBeGreaterThan(0);
    const source = await readFile(path.join(REPO_ROOT, 'apps', 'order-server', 'src', 'jobs', 'checkout-queue.ts'), 'utf8');
    for (const queue of queues) expect(source, queue).toContain(`'${queue}'`);
  });

  it('the compose scrape config reaches every app on its own port', async () => {
    const config = parse(await readFile(path.join(PROMETHEUS, 'prometheus.yml'), 'utf8')) as {
      scrape_configs: { job_name: string; static_configs: { targets: string[]; labels: { app: string; environment?: string } }[] }[];
    };
    const job = config.scrape_configs.find((scrape) => scrape.job_name === 'mcpfed');
    const targets = Object.fromEntries((job?.static_configs ?? []).map((target) => [target.labels.app, target.targets]));
    expect(targets).toEqual(Object.fromEntries((await deployableApps()).map((app) => [app.name, [`${app.name}:${app.port}`]])));
    for (const target of job?.static_configs ?? []) expect(target.labels, target.labels.app).toMatchObject({ environment: 'local' });
    expect(targets['router']).toEqual(['router:8080']);
  });
});

describe('Grafana dashboards', () => {
  it('there is one for the federation, one per server (by a server variable) and one for the checkout saga; each picks its datasource and environment', async () => {
    expect((await dashboards()).map(({ file }) => file)).toEqual(['mcpfed-checkout-saga.json', 'mcpfed-federation.json', 'mcpfed-server.json']);
    for (const { file, dashboard } of await dashboards()) {
      const variables = (dashboard as unknown as { templating: { list: { name: string; type: string; query: string | { query: string } }[] } }).templating.list;
      const expected: [string, string, string][] = [
        ['datasource', 'datasource', 'prometheus'],
        ['environment', 'query', 'label_values(up{job="mcpfed"}, environment)'],
      ];
      if (file === 'mcpfed-server.json') expected.push(['service', 'query', 'label_values(mcp_tool_calls_total{environment="$environment"}, service)']);
      expect(
        variables.map((variable) => [variable.name, variable.type, typeof variable.query === 'string' ? variable.query : variable.query.query]),
        file,
      ).toEqual(expected);
    }
  });

  it('each is valid JSON with unique uids and panel ids, every panel queries the chosen datasource (no fixed uid) in the chosen environment', async () => {
    const uid = '${datasource}';
    const all = await dashboards();
    for (const { file } of all) expect(await readFile(path.join(DASHBOARDS, file), 'utf8'), file).not.toContain('mcpfed-prometheus');
    expect(new Set(all.map(({ dashboard }) => dashboard.uid)).size).toBe(all.length);
    for (const { file, dashboard } of all) {
      const ids = dashboard.panels.map((panel) => panel.id);
      expect(new Set(ids).size, file).toBe(ids.length);
      for (const panel of dashboard.panels) {
        expect(panel.datasource?.uid, `${file} ${panel.title}`).toBe(uid);
        expect(panel.targets?.length, `${file} ${panel.title}`).toBeGreaterThan(0);
        for (const target of panel.targets ?? []) {
          expect(target.datasource?.uid ?? uid, `${file} ${panel.title}`).toBe(uid);
          for (const name of metricNamesIn(target.expr)) expect(target.expr, `${file} ${panel.title}: ${name}`).toContain(`${name}{environment="$environment"`);
        }
      }
    }
  });

  it('every panel query names only metrics the code defines', async () => {
    const defined = await definedMetricNames();
    const unknown: string[] = [];
    for (const { file, dashboard } of await dashboards()) {
      for (const panel of dashboard.panels) {
        for (const target of panel.targets ?? []) {
          const names = metricNamesIn(target.expr);
          expect(names.length, `${file} ${panel.title}: ${target.expr}`).toBeGreaterThan(0);
          unknown.push(...names.filter((name) => !isDefinedMetric(name, defined)).map((name) => `${file} "${panel.title}": ${name}`));
        }
      }
    }
    expect(unknown).toEqual([]);
  });

  it('the provisioning loads the folder compose mounts the dashboards into', async () => {
    const provider = parse(await readFile(path.join(OBSERVABILITY, 'grafana', 'provisioning', 'dashboards', 'mcpfed.yml'), 'utf8')) as {
      providers: { options: { path: string } }[];
    };
    const compose = await readFile(path.join(REPO_ROOT, 'docker-compose.yml'), 'utf8');
    expect(compose).toContain(`./deploy/observability/grafana/dashboards:${provider.providers[0]?.options.path}:ro`);
  });
});

describe('metric catalog', () => {
  it('finds the metrics of the platform libraries, the router and the federation client', async () => {
    const defined = await definedMetricNames();
    for (const name of [
      'mcp_tool_calls_total',
      'mcp_tool_errors_total',
      'mcp_tool_duration_seconds',
      'db_pool_connections',
      'queue_jobs',
      'router_upstream_breaker_state',
      'upstream_breaker_state',
      'process_resident_memory_bytes',
    ]) {
      expect(defined.has(name), name).toBe(true);
    }
    expect(isDefinedMetric('mcp_tool_duration_seconds_bucket', defined)).toBe(true);
    expect(isDefinedMetric('mcp_tool_latency_seconds', defined)).toBe(false);
  });
});
