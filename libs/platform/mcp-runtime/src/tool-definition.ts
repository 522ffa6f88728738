import { z } from 'zod';
import { listedDescription } from '@mcpfed/contract-common';
import type { ToolContract } from '@mcpfed/contract-common';

/** `_meta` key of every listed tool, resource, resource template and prompt: the scopes it needs (the router filters and checks by it). */
export const META_SCOPES = 'io.mcpfed/scopes';
/** `_meta` key of every listed tool, resource, template and prompt: its deadline in milliseconds (the router waits a margin longer). */
export const META_DEADLINE = 'io.mcpfed/deadline_ms';

/** `_meta` key of a renamed tool: its former names, which its server still answers (the router routes them too). */
export const META_ALIASES = 'io.mcpfed/aliases';

/** The `_meta` published with a catalog entry: what it needs and how long the server gives it. */
export function catalogMeta(scopes: readonly string[], deadlineMs: number): Record<string, unknown> {
  return { [META_SCOPES]: [...scopes], [META_DEADLINE]: deadlineMs };
}

/** Largest and smallest safe integers: the bounds zod writes on every `.int()`, which `"type": "integer"` already says for a model. */
const SAFE_INTEGER_BOUNDS = new Set([Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER]);

/**
 * `structuredContent` of a failed call (docs/architecture.md §4), as advertised: `{ error: { code, message,
 * retryable, details?, request_id? } }`. The codes are not listed in every tool: each description names the ones
 * that tool answers, and the server's instructions name the envelope once.
 */
const ERROR_ENVELOPE_JSON = {
  type: 'object',
  properties: { error: { type: 'object', required: ['code', 'message', 'retryable'] } },
  required: ['error'],
} as const;

type Json = Record<string, unknown>;

/** Keywords left out of output schemas: checks the server already made, not meaning. */
const OUTPUT_CHECKS = new Set(['maxLength', 'minLength', 'pattern', 'additionalProperties', 'maxItems', 'minItems', 'minimum', 'maximum']);

/**
 * Leaves out of a JSON Schema what tells a model nothing the rest does not: the safe-integer bounds of every
 * integer and a pattern beside a `format` (zod's date-time regex is ~400 characters). For an output schema
 * (`output: true`) also the bounds, lengths, patterns and closed objects: what a server returns is checked by
 * the server against its contract before it is sent; the advertised schema says its shape and meaning, and
 * keeps `required`, so a client's check of a result still catches a missing field.
 */
export function compactJsonSchema(schema: unknown, options: { output: boolean }): unknown {
  if (Array.isArray(schema)) return schema.map((item) => compactJsonSchema(item, options));
  if (typeof schema !== 'object' || schema === null) return schema;
  const source = schema as Json;
  const out: Json = {};
  for (const [key, value] of Object.entries(source)) {
    if ((key === 'minimum' || key === 'maximum') && SAFE_INTEGER_BOUNDS.has(value as number)) continue;
    if (key === 'pattern' && typeof source['format'] === 'string') continue;
    if (options.output && OUTPUT_CHECKS.has(key)) continue;
    // A property named like a keyword is data, not a keyword: only schema-valued members are walked.
    if (key === 'properties' || key === '$defs') {
      out[key] = Object.fromEntries(Object.entries(value as Json).map(([name, sub]) => [name, compactJsonSchema(sub, options)]));
      continue;
    }
    out[key] = key === 'enum' || key === 'const' || key === 'required' || key === 'default' || key === 'examples' ? value : compactJsonSchema(value, options);
  }
  return out;
}

/**
 * The input schema as advertised: JSON Schema of what callers send, compacted ({@link compactJsonSchema}).
 * Inputs keep their patterns and lengths: they tell a model what a valid argument looks like.
 */
export function advertisedInputSchema(input: z.ZodObject): Json {
  const { $schema: _dialect, ...schema } = z.toJSONSchema(input, { io: 'input', unrepresentable: 'any' });
  return compactJsonSchema(schema, { output: false }) as Json;
}

/**
 * The advertised output schema: the contract's success shape OR the error envelope. Failed calls carry
 * `structuredContent.error` (isError: true), and SDK clients validate structuredContent against the output
 * schema even on errors, so the schema has to admit both for those clients to see the error at all.
 * A shape the success schema uses more than once (money, ids, timestamps, a line) is written once in the root's
 * `$defs` and referred to (`$ref: "#/$defs/…"`), which every JSON Schema validator resolves within the document.
 */
export function advertisedOutputSchema(output: z.ZodObject): Json {
  const { $schema: _dialect, $defs, ...success } = z.toJSONSchema(output, { io: 'output', unrepresentable: 'any', reused: 'ref' });
  const compacted = compactJsonSchema({ success, defs: $defs ?? {} }, { output: true }) as { success: Json; defs: Record<string, Json> };
  const { schema, defs } = tidyDefinitions(compacted.success, compacted.defs);
  return { type: 'object', anyOf: [schema, { $ref: '#/$defs/error' }], $defs: { ...defs, error: ERROR_ENVELOPE_JSON } };
}

/** A definition no longer than this (as JSON) is written where it is used: a `$ref` to it would cost about as much. */
const INLINE_DEFINITION_CHARS = 40;

/**
 * Writes back in place the definitions zod extracted that do not pay for themselves (used once, or as short as a
 * reference, e.g. `{"type":"string"}` once the checks are left out), and names the others `d0`, `d1`, … instead of
 * `__schema0`: every reference repeats the name.
 */
function tidyDefinitions(schema: Json, defs: Record<string, Json>): { schema: Json; defs: Record<string, Json> } {
  const uses = new Map<string, number>();
  const count = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(count);
    else if (typeof node === 'object' && node !== null) {
      for (const [key, value] of Object.entries(node)) {
        if (key === '$ref' && typeof value === 'string') uses.set(value, (uses.get(value) ?? 0) + 1);
        else count(value);
      }
    }
  };
  count(schema);
  count(defs);
  const inline = new Set(
    Object.keys(defs).filter((name) => {
      const json = JSON.stringify(defs[name]);
      // A recursive definition stays one: written in place it would never end.
      if (json.includes(`"#/$defs/${name}"`)) return false;
      return (uses.get(`#/$defs/${name}`) ?? 0) <= 1 || json.length <= INLINE_DEFINITION_CHARS;
    }),
  );
  const kept = Object.keys(defs).filter((name) => !inline.has(name));
  const renamed = new Map(kept.map((name, index) => [name, `d${index}`]));
  const rewrite = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(rewrite);
    if (typeof node !== 'object' || node === null) return node;
    const { $ref, ...rest } = node as Json;
    const target = typeof $ref === 'string' && $ref.startsWith('#/$defs/') ? $ref.slice('#/$defs/'.length) : undefined;
    const walked = Object.fromEntries(Object.entries(rest).map(([key, value]) => [key, key === 'enum' || key === 'required' ? value : rewrite(value)]));
    if (target !== undefined && inline.has(target)) return { ...(rewrite(defs[target]) as Json), ...walked };
    return target !== undefined ? { ...walked, $ref: `#/$defs/${renamed.get(target) ?? target}` } : { ...walked, ...($ref === undefined ? {} : { $ref }) };
  };
  return {
    schema: rewrite(schema) as Json,
    defs: Object.fromEntries(kept.map((name) => [renamed.get(name) as string, rewrite(defs[name]) as Json])),
  };
}

/** The tool definition a server lists (tools/list) for a contract entry: converted once, at start. */
export function toolDefinition(contract: ToolContract, defaultDeadlineMs: number): Json {
  return {
    name: contract.name,
    title: contract.title,
    description: listedDescription(contract),
    inputSchema: advertisedInputSchema(contract.input),
    outputSchema: advertisedOutputSchema(contract.output),
    annotations: { title: contract.title, ...contract.annotations },
    ...(contract.taskSupport === undefined ? {} : { execution: { taskSupport: contract.taskSupport } }),
    _meta: {
      ...catalogMeta(contract.scopes, contract.deadlineMs ?? defaultDeadlineMs),
      ...(contract.aliases?.length ? { [META_ALIASES]: contract.aliases.map((alias) => alias.name) } : {}),
    },
  };
}
