import { z } from 'zod';
import type { DomainContract, ToolContract } from '@mcpfed/contract-common';

/** One entry a caller lacking one of its scopes must not reach (see {@link scopeMatrix}). */
export interface ScopeCase {
  readonly kind: 'tool' | 'resource' | 'prompt';
  /** Tool or prompt name, or the resource's URI (template). */
  readonly name: string;
  /** A concrete URI of the resource (template variables filled in); the name otherwise. */
  readonly target: string;
  /** Arguments of a prompts/get. */
  readonly args: Record<string, string>;
  /** The scope the caller lacks. */
  readonly missing: string;
  /** Every scope of `allScopes` but `missing`. */
  readonly granted: readonly string[];
}

/**
 * Every (entry, required scope) pair of a domain's contract — tools, resources (templates) and prompts — with a caller
 * holding every other scope of `allScopes`: each must be refused (FORBIDDEN) and hidden from that caller's lists.
 */
export function scopeMatrix(contract: DomainContract, allScopes: readonly string[]): ScopeCase[] {
  const cases: ScopeCase[] = [];
  const add = (kind: ScopeCase['kind'], name: string, target: string, args: Record<string, string>, scopes: readonly string[]) => {
    for (const missing of scopes) cases.push({ kind, name, target, args, missing, granted: allScopes.filter((scope) => scope !== missing) });
  };
  for (const tool of contract.tools) add('tool', tool.name, tool.name, {}, tool.scopes);
  for (const resource of contract.resources) add('resource', resource.uri, resource.uri.replace(/\{[^}]+\}/g, 'x1'), {}, resource.scopes);
  for (const prompt of contract.prompts)
    add('prompt', prompt.name, prompt.name, Object.fromEntries(Object.keys(prompt.args.shape).map((key) => [key, 'x1'])), prompt.scopes);
  return cases;
}

type JsonSchema = { type?: string | string[]; properties?: Record<string, JsonSchema>; items?: JsonSchema; anyOf?: JsonSchema[]; oneOf?: JsonSchema[] };

function hasType(schema: JsonSchema, type: string): boolean {
  const own = Array.isArray(schema.type) ? schema.type.includes(type) : schema.type === type;
  return own || [...(schema.anyOf ?? []), ...(schema.oneOf ?? [])].some((option) => hasType(option, type));
}

function inputSchema(tool: ToolContract): JsonSchema {
  return z.toJSONSchema(tool.input, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
}

/** The paths of every string field of a tool's input, nested objects and array items included (index 0). */
export function stringFieldPaths(tool: ToolContract): Array<Array<string | number>> {
  const paths: Array<Array<string | number>> = [];
  const walk = (schema: JsonSchema, at: Array<string | number>, depth: number): void => {
    if (depth > 4) return;
    if (hasType(schema, 'string')) paths.push(at);
    const options = [schema, ...(schema.anyOf ?? []), ...(schema.oneOf ?? [])];
    for (const option of options) {
      for (const [key, property] of Object.entries(option.properties ?? {})) walk(property, [...at, key], depth + 1);
      if (option.items !== undefined) walk(option.items, [...at, 0], depth + 1);
    }
  };
  walk(inputSchema(tool), [], 0);
  const seen = new Set<string>();
  return paths.filter((p) => p.length > 0 && !seen.has(p.join('.')) && seen.add(p.join('.')));
}

/** `{ a: { b: [ value ] } }` for path `['a', 'b', 0]`. */
export function valueAt(path: ReadonlyArray<string | number>, value: unknown): Record<string, unknown> {
  let out: unknown = value;
  for (let i = path.length - 1; i >= 0; i--) {
    const key = path[i] as string | number;
    out = typeof key === 'number' ? [out] : { [key]: out };
  }
  return out as Record<string, unknown>;
}

/** Strings aimed at SQL, shells, templates, paths and renderers; the servers must treat each as plain text. */
export const INJECTION_STRINGS: readonly string[] = [
  "' OR '1'='1",
  "'; DROP TABLE mcp_audit_log; --",
  '$(touch /tmp/mcpfed-pwned)',
  '${jndi:ldap://127.0.0.1/x}',
  '{{7*7}}',
  '../../../../etc/passwd',
  '<script>alert(1)</script>',
  '\u202Egnp.exe',
  '%00%27',
];

/** One hostile tools/call: a name for the report and the raw JSON text of its arguments. */
export interface HostileCase {
  readonly name: string;
  readonly argumentsJson: string;
}

function wrongValueFor(schema: JsonSchema): unknown {
  if (hasType(schema, 'string')) return 12345;
  if (hasType(schema, 'integer') || hasType(schema, 'number')) return 'not-a-number';
  if (hasType(schema, 'boolean')) return 'yes';
  if (hasType(schema, 'array')) return { '0': 'not-an-array' };
  return 'not-an-object';
}

/**
 * Hostile arguments for a tool, generated from its input schema: each field of the wrong type, a 1 MB string, the
 * prototype keys `__proto__` and `constructor`, and each injection string in each top-level string field (the rest
 * of the arguments left out). Every one must give a structured answer and change nothing.
 */
export function hostileArgumentCases(tool: ToolContract): HostileCase[] {
  const schema = inputSchema(tool);
  const cases: HostileCase[] = [];
  for (const [key, property] of Object.entries(schema.properties ?? {}))
    cases.push({ name: `${key} of the wrong type`, argumentsJson: JSON.stringify({ [key]: wrongValueFor(property) }) });
  const strings = stringFieldPaths(tool);
  const first = strings[0];
  if (first !== undefined) cases.push({ name: `a 1 MB string in ${first.join('.')}`, argumentsJson: JSON.stringify(valueAt(first, 'A'.repeat(1_000_000))) });
  cases.push({ name: 'prototype keys', argumentsJson: '{"__proto__":{"isAdmin":true,"scopes":["admin"]},"constructor":{"prototype":{"polluted":true}}}' });
  for (const path of strings.filter((p) => p.length === 1)) {
    for (const injection of INJECTION_STRINGS)
      cases.push({ name: `${injection} in ${path.join('.')}`, argumentsJson: JSON.stringify(valueAt(path, injection)) });
  }
  return cases;
}
