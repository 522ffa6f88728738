import { z } from 'zod';

type Json = Record<string, unknown>;

/** Deepest nesting of a result the list follows (the contracts' results nest three or four levels). */
const MAX_DEPTH = 6;

/**
 * The described fields of a tool's result, one Markdown line each (`- order.lines[].unit_price: …`), from the
 * contract's output schema. The advertised output schema leaves field descriptions out (docs/decisions.md
 * "Output schemas admit the error envelope"); the tool's guide resource lists them here instead.
 */
export function resultFields(output: z.ZodObject): string[] {
  const { $defs, ...root } = z.toJSONSchema(output, { io: 'output', unrepresentable: 'any' }) as Json & { $defs?: Record<string, Json> };
  const lines: string[] = [];
  const seen = new Set<string>();
  const resolve = (node: Json): Json => {
    const ref = node['$ref'];
    if (typeof ref !== 'string' || !ref.startsWith('#/$defs/')) return node;
    const { $ref: _ref, ...rest } = node;
    return { ...($defs?.[ref.slice('#/$defs/'.length)] ?? {}), ...rest };
  };
  const walk = (node: Json, path: string, depth: number, description: string | undefined): void => {
    const schema = resolve(node);
    const text = description ?? (typeof schema['description'] === 'string' ? schema['description'] : undefined);
    if (path !== '' && text !== undefined && !seen.has(path)) {
      seen.add(path);
      lines.push(`- ${path}: ${text}`);
    }
    if (depth >= MAX_DEPTH) return;
    for (const branch of (schema['anyOf'] as Json[] | undefined) ?? []) walk(branch, path, depth + 1, undefined);
    if (schema['items'] !== undefined && typeof schema['items'] === 'object') walk(schema['items'] as Json, `${path}[]`, depth + 1, undefined);
    for (const [name, sub] of Object.entries((schema['properties'] as Record<string, Json> | undefined) ?? {})) {
      walk(sub, path === '' ? name : `${path}.${name}`, depth + 1, undefined);
    }
  };
  walk(root, '', 0, undefined);
  return lines;
}
