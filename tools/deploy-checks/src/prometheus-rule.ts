import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse, stringify } from 'yaml';
import { REPO_ROOT } from './repo-root.ts';

/** The alert rules every Prometheus of the federation evaluates (compose, plain Kubernetes, the operator). */
export const RULES_FILE = path.join(REPO_ROOT, 'deploy', 'observability', 'prometheus', 'rules', 'mcpfed-alerts.yml');
/** The same rules as a Prometheus operator PrometheusRule (deploy/observability/kustomization.yaml). */
export const PROMETHEUS_RULE_FILE = path.join(REPO_ROOT, 'deploy', 'observability', 'kubernetes', 'prometheusrule.yaml');

/** The PrometheusRule manifest that carries the rules file's groups unchanged. */
export async function prometheusRuleManifest(): Promise<string> {
  const rules = parse(await readFile(RULES_FILE, 'utf8')) as { groups: unknown[] };
  const header = [
    '# Generated from deploy/observability/prometheus/rules/mcpfed-alerts.yml: edit that file, then',
    '# UPDATE_PROMETHEUS_RULE=1 npx nx test deploy-checks. kube-prometheus-stack evaluates PrometheusRules labelled',
    '# with its release unless prometheus.prometheusSpec.ruleSelectorNilUsesHelmValues=false (deploy/README.md).',
  ].join('\n');
  const manifest = { apiVersion: 'monitoring.coreos.com/v1', kind: 'PrometheusRule', metadata: { name: 'mcpfed-alerts' }, spec: { groups: rules.groups } };
  return `${header}\n${stringify(manifest, { lineWidth: 0 })}`;
}
