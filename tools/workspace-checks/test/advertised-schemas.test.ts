import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { customerContract } from '@mcpfed/contract-customer';
import { orderContract } from '@mcpfed/contract-order';
import { paymentContract } from '@mcpfed/contract-payment';
import { productContract } from '@mcpfed/contract-product';
import { advertisedOutputSchema, compactJsonSchema } from '@mcpfed/mcp-runtime';

type Json = Record<string, unknown>;

/** `schema` with every `$ref` into its root `$defs` written in place (the sibling keywords of a `$ref` win). */
function dereference(node: unknown, defs: Record<string, Json>): unknown {
  if (Array.isArray(node)) return node.map((item) => dereference(item, defs));
  if (typeof node !== 'object' || node === null) return node;
  const { $ref, $defs: _defs, ...rest } = node as Json;
  const walked = Object.fromEntries(Object.entries(rest).map(([key, value]) => [key, key === 'enum' || key === 'required' ? value : dereference(value, defs)]));
  if (typeof $ref !== 'string') return walked;
  return { ...(dereference(defs[$ref.replace('#/$defs/', '')], defs) as Json), ...walked };
}

/**
 * One spelling of each type: zod writes `type: [T, "null"]` inline and `anyOf: [T, null]` around a `$ref`; the
 * advertised schema writes `type: [T, "null"]` for both, a string enum or const without its `type`, and a nullable
 * enum with `null` among its values. All become `anyOf: [T, null]` with an explicit `type`.
 */
function normalise(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(normalise);
  if (typeof node !== 'object' || node === null) return node;
  const walked = Object.fromEntries(
    Object.entries(node).map(([key, value]) => [key, key === 'enum' || key === 'const' || key === 'required' ? value : normalise(value)]),
  ) as Json;
  const values = walked['enum'];
  if (Array.isArray(values) && walked['type'] === undefined && values.every((v) => typeof v === 'string' || v === null)) {
    walked['type'] = values.includes(null) ? ['string', 'null'] : 'string';
    walked['enum'] = values.filter((v) => v !== null);
  }
  if (typeof walked['const'] === 'string' && walked['type'] === undefined) walked['type'] = 'string';
  if (Array.isArray(walked['enum']) && Array.isArray(walked['type'])) walked['enum'] = (walked['enum'] as unknown[]).filter((v) => v !== null);
  const type = walked['type'];
  if (Array.isArray(type) && type.length === 2 && type[1] === 'null') {
    const { description, type: _type, ...rest } = walked;
    return { anyOf: [{ ...rest, type: type[0] }, { type: 'null' }], ...(description === undefined ? {} : { description }) };
  }
  return walked;
}

const tools = [customerContract, orderContract, productContract, paymentContract].flatMap((contract) => contract.tools);

/**
 * The advertised output schemas write shared shapes once (`$defs`) and types in their shortest spelling. Written
 * back in place and spelled alike, each must be exactly the contract's own JSON Schema with the same keywords left
 * out (checks and field descriptions): the sharing and spelling change the size, never the meaning.
 */
describe.each(tools.map((tool) => [tool.name, tool] as const))('%s output schema', (_name, tool) => {
  it('means the same as the contract once its $refs are written in place', () => {
    const advertised = advertisedOutputSchema(tool.output);
    const defs = advertised['$defs'] as Record<string, Json>;
    const [success, error] = (dereference(advertised, defs) as { anyOf: [Json, Json] }).anyOf;
    const { $schema: _dialect, ...plain } = z.toJSONSchema(tool.output, { io: 'output', unrepresentable: 'any' });
    // The root's type: "object" covers both branches, so the success branch leaves it out.
    expect(normalise({ type: 'object', ...success })).toEqual(normalise(compactJsonSchema(plain, { output: true })));
    expect(error).toEqual({ required: ['error'] });
  });
});
