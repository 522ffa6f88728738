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
 * `structuredContent` of a failed call (docs/architecture.md §4), as advertised: an object with `error`, the second
 * branch of every output schema's `anyOf` (the root's `type: "object"` covers both branches). The envelope's
 * fields (`{ code, message, retryable, details?, request_id? }`) are the same for every tool, so the initialize
 * instructions name them once instead of every tool (docs/decisions.md "Output schemas admit the error envelope").
 */
const ERROR_ENVELOPE_JSON = { required: ['error'] } as const;

type Json = Record<string, unknown>;

/**
 * Keywords left out of output schemas: checks the server already made (a `format` too: every timestamp is an ISO
 * 8601 string, which its field's line in the guide says), and the field descriptions, which the tool's guide
 * resource (`docs://tools/<name>`, "Result fields") carries instead.
 */
const OUTPUT_LEFT_OUT = new Set([
  'maxLength',
  'minLength',
  'pattern',
  'format',
  'additionalProperties',
  'maxItems',
  'minItems',
  'minimum',
  'maximum',
  'description',
]);

/**
 * Leaves out of a JSON Schema what tells a model nothing the rest does not: the safe-integer bounds of every
 * integer and a pattern beside a `format` (zod's date-time regex is ~400 characters). For an output schema
 * (`output: true`) also the bounds, lengths, patterns, formats and closed objects: what a server returns is checked by
 * the server against its contract before it is sent; the advertised schema says its shape, and keeps `required`,
 * so a client's check of a result still catches a missing field. Output field descriptions are left out too: the
 * tool's guide lists them (a model reads a result's fields when it has one, not on every request).
 */
export function compactJsonSchema(schema: unknown, options: { output: boolean }): unknown {
  if (Array.isArray(schema)) return schema.map((item) => compactJsonSchema(item, options));
  if (typeof schema !== 'object' || schema === null) return schema;
  const source = schema as Json;
  const out: Json = {};
  for (const [key, value] of Object.entries(source)) {
    if ((key === 'minimum' || key === 'maximum') && SAFE_INTEGER_BOUNDS.has(value as number)) continue;
    if (key === 'pattern' && typeof source['format'] === 'string') continue;
    if (key === 'maxLength' && typeof source['pattern'] === 'string' && (patternMaxLength(source['pattern']) ?? Infinity) <= (value as number)) continue;
    if (options.output && OUTPUT_LEFT_OUT.has(key)) continue;
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
 * The longest string an anchored pattern of literals, classes and bounded repeats matches (`^cus_[0-9a-z]{26}$`:
 * 30), or undefined for any other pattern: a `maxLength` at least that long says nothing the pattern does not.
 */
export function patternMaxLength(pattern: string): number | undefined {
  if (!pattern.startsWith('^') || !pattern.endsWith('$') || pattern.endsWith('\\$')) return undefined;
  const body = pattern.slice(1, -1);
  let total = 0;
  let last = 0;
  for (let i = 0; i < body.length;) {
    const char = body[i] as string;
    if (char === '\\') {
      last = 1;
      i += 2;
    } else if (char === '[') {
      let j = i + 1;
      while (j < body.length && body[j] !== ']') j += body[j] === '\\' ? 2 : 1;
      if (j >= body.length) return undefined;
      last = 1;
      i = j + 1;
    } else if (char === '{') {
      const repeat = /^\{(\d+)(?:,(\d+))?\}/.exec(body.slice(i));
      if (!repeat || last === 0) return undefined;
      total += last * (Number(repeat[2] ?? repeat[1]) - 1);
      last = 0;
      i += repeat[0].length;
      continue;
    } else if ('()|*+?.^$'.includes(char)) {
      return undefined;
    } else {
      last = 1;
      i += 1;
    }
    total += last;
  }
  return total;
}

/**
 * The input schema as advertised: JSON Schema of what callers send, compacted ({@link compactJsonSchema}).
 * Inputs keep their patterns, lengths and descriptions: they tell a model what a valid argument looks like.
 */
export function advertisedInputSchema(input: z.ZodObject): Json {
  const { $schema: _dialect, ...schema } = z.toJSONSchema(input, { io: 'input', unrepresentable: 'any' });
  return shortSpelling(compactJsonSchema(schema, { output: false })) as Json;
}

/**
 * The advertised output schema: the contract's success shape OR the error envelope. Failed calls carry
 * `structuredContent.error` (isError: true), and SDK clients validate structuredContent against the output
 * schema even on errors, so the schema has to admit both for those clients to see the error at all.
 * A shape the success schema uses more than once (money, a line) is written once in the root's `$defs` and
 * referred to (`$ref: "#/$defs/…"`), which every JSON Schema validator resolves within the document; a nullable
 * type is one `type: [T, "null"]` and an enum of strings leaves out its `type` ({@link shortSpelling}).
 */
export function advertisedOutputSchema(output: z.ZodObject): Json {
  const { $schema: _dialect, $defs, ...success } = z.toJSONSchema(output, { io: 'output', unrepresentable: 'any', reused: 'ref' });
  const compacted = compactJsonSchema({ success, defs: $defs ?? {} }, { output: true }) as { success: Json; defs: Record<string, Json> };
  const tidied = tidyDefinitions(compacted.success, compacted.defs);
  const { type: _object, ...schema } = shortSpelling(tidied.schema) as Json;
  const defs = shortSpelling(tidied.defs) as Json;
  return { type: 'object', anyOf: [schema, ERROR_ENVELOPE_JSON], ...(Object.keys(defs).length > 0 ? { $defs: defs } : {}) };
}

/**
 * The same schema in fewer tokens, meaning unchanged: `anyOf: [T, { type: "null" }]` of a plain typed `T` is
 * `T` with `type: [T.type, "null"]` (and `null` added to its enum or const), and `type: "string"` beside an
 * enum of strings (and null) or a string const says nothing the enum or const does not.
 */
export function shortSpelling(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(shortSpelling);
  if (typeof node !== 'object' || node === null) return node;
  let out: Json = Object.fromEntries(
    Object.entries(node as Json).map(([key, value]) => [
      key,
      key === 'enum' || key === 'const' || key === 'required' || key === 'default' || key === 'examples'
        ? value
        : key === 'properties' || key === '$defs'
          ? Object.fromEntries(Object.entries(value as Json).map(([name, sub]) => [name, shortSpelling(sub)]))
          : shortSpelling(value),
    ]),
  );
  const anyOf = out['anyOf'];
  if (Array.isArray(anyOf) && anyOf.length === 2) {
    const nullAt = anyOf.findIndex((branch) => JSON.stringify(branch) === '{"type":"null"}');
    const other = anyOf[1 - nullAt] as Json | undefined;
    // An enum of strings has already lost its type (children first): it takes null into its enum alone.
    const typed = typeof other?.['type'] === 'string' || (other !== undefined && Array.isArray(other['enum']) && !('type' in other));
    if (
      nullAt >= 0 &&
      other !== undefined &&
      typed &&
      !('$ref' in other) &&
      !('anyOf' in other) &&
      !Object.keys(other).some((key) => key in out && key !== 'anyOf')
    ) {
      const { anyOf: _anyOf, ...rest } = out;
      const { const: constant, ...plain } = other;
      const values = Array.isArray(other['enum']) ? [...other['enum'], null] : 'const' in other ? [constant, null] : undefined;
      out = { ...rest, ...plain, ...(typeof other['type'] === 'string' ? { type: [other['type'], 'null'] } : {}), ...(values ? { enum: values } : {}) };
    }
  }
  const values = out['enum'];
  if (Array.isArray(values) && values.some((v) => typeof v === 'string') && values.every((v) => typeof v === 'string' || v === null)) {
    const type = out['type'];
    const stringish = type === 'string' || (Array.isArray(type) && type.length === 2 && type[0] === 'string' && type[1] === 'null' && values.includes(null));
    if (stringish) delete out['type'];
  }
  if (typeof out['const'] === 'string' && out['type'] === 'string') delete out['type'];
  return out;
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
    annotations: { ...contract.annotations },
    ...(contract.taskSupport === undefined ? {} : { execution: { taskSupport: contract.taskSupport } }),
    _meta: {
      ...catalogMeta(contract.scopes, contract.deadlineMs ?? defaultDeadlineMs),
      ...(contract.aliases?.length ? { [META_ALIASES]: contract.aliases.map((alias) => alias.name) } : {}),
    },
  };
}
