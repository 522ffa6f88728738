import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv } from 'ajv';
import type { ValidateFunction } from 'ajv';
import { REPO_ROOT } from './repo-root.ts';
import type { KubeObject } from './render-kustomization.ts';

/** The custom resources the manifests use, by `apiVersion/kind`: the CRD schema file under tools/deploy-checks/schemas. */
const SCHEMAS: Readonly<Record<string, string>> = {
  'monitoring.coreos.com/v1/ServiceMonitor': 'ServiceMonitor.v1.schema.json',
  'monitoring.coreos.com/v1/PrometheusRule': 'PrometheusRule.v1.schema.json',
};

// Kubernetes' structural schemas carry x-kubernetes-* keywords and OpenAPI formats (int64, date-time) ajv does not
// know: not strict, formats not checked (the API server checks few of them either), every error reported.
// CRD patterns are Go (RE2) expressions: an inline `(?i)` becomes JavaScript's `i` flag.
const goRegExp = Object.assign(
  (pattern: string, flags: string): RegExp => (pattern.includes('(?i)') ? new RegExp(pattern.replaceAll('(?i)', ''), `${flags}i`) : new RegExp(pattern, flags)),
  { code: 'new RegExp' },
);
const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false, code: { regExp: goRegExp } });
const compiled = new Map<string, ValidateFunction>();

function validatorFor(key: string): ValidateFunction | undefined {
  const file = SCHEMAS[key];
  if (file === undefined) return undefined;
  let validate = compiled.get(key);
  if (validate === undefined) {
    const schema = JSON.parse(readFileSync(path.join(REPO_ROOT, 'tools', 'deploy-checks', 'schemas', file), 'utf8')) as Record<string, unknown>;
    delete schema['$comment'];
    validate = ajv.compile(schema);
    compiled.set(key, validate);
  }
  return validate;
}

/**
 * Validates a custom resource against the `openAPIV3Schema` of its CRD, as the API server would on apply (types,
 * enums, required fields, patterns; unknown fields are flagged where the CRD says so, which for the operator's
 * CRDs is nowhere: the API server prunes them, so the checks add their own). Returns one line per problem.
 */
export function validateCustomResource(object: KubeObject): string[] {
  const key = `${object.apiVersion}/${object.kind}`;
  const validate = validatorFor(key);
  if (validate === undefined) return [`no CRD schema for ${key} in the checks (add it to validate-custom-resource.ts)`];
  const problems: string[] = [];
  if (!validate(object)) problems.push(...(validate.errors ?? []).map((error) => `${error.instancePath || '/'} ${error.message ?? 'is invalid'}`));
  problems.push(...unknownFields(object, validate.schema as Schema, ''));
  return problems;
}

interface Schema {
  type?: string;
  properties?: Record<string, Schema>;
  items?: Schema;
  additionalProperties?: Schema | boolean;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
}

// A field the CRD does not declare is silently dropped by the API server (pruning): a misspelt `relabellings`
// would vanish without a word. Report it instead.
function unknownFields(value: unknown, schema: Schema, at: string): string[] {
  if (schema['x-kubernetes-preserve-unknown-fields'] === true || value === null || typeof value !== 'object') return [];
  if (Array.isArray(value))
    return schema.items === undefined ? [] : value.flatMap((item, index) => unknownFields(item, schema.items as Schema, `${at}/${index}`));
  if (schema.properties === undefined) return [];
  return Object.entries(value as Record<string, unknown>).flatMap(([field, child]) => {
    const childSchema = schema.properties?.[field];
    if (childSchema !== undefined) return unknownFields(child, childSchema, `${at}/${field}`);
    return [`${at}/${field} is not a field of the CRD (the API server would drop it)`];
  });
}
