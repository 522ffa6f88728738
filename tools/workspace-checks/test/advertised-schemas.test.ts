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

/** One spelling of a nullable type: zod writes `type: [T, "null"]` inline and `anyOf: [T, null]` around a `$ref`. */
function normalise(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(normalise);
  if (typeof node !== 'object' || node === null) return node;
  const walked = Object.fromEntries(Object.entries(node).map(([key, value]) => [key, key === 'enum' || key === 'required' ? value : normalise(value)])) as Json;
  const type = walked['type'];
  if (Array.isArray(type) && type.length === 2 && type[1] === 'null') {
    const { description, type: _type, ...rest } = walked;
    return { anyOf: [{ ...rest, type: type[0] }, { type: 'null' }], ...(description === undefined ? {} : { description }) };
  }
  return walked;
}

const tools = [customerContract, orderContract, productContract, paymentContract].flatMap((contract) => contract.tools);

/**
 * The advertised output schemas write shared shapes once (`$defs`) and the error envelope as a `$ref`. Written back
 * in place, each must be exactly the contract's own JSON Schema with the same keywords left out: the sharing changes
 * the size, never the meaning.
 */
describe.each(tools.map((tool) => [tool.name, tool] as const))('%s output schema', (_name, tool) => {
  it('means the same as the contract once its $refs are written in place', () => {
    const advertised = advertisedOutputSchema(tool.output);
    const defs = advertised['$defs'] as Record<string, Json>;
    const [success, error] = (dereference(advertised, defs) as { anyOf: [Json, Json] }).anyOf;
    const { $schema: _dialect, ...plain } = z.toJSONSchema(tool.output, { io: 'output', unrepresentable: 'any' });
    expect(normalise(success)).toEqual(normalise(compactJsonSchema(plain, { output: true })));
    expect(error).toMatchObject({ required: ['error'], properties: { error: { required: ['code', 'message', 'retryable'] } } });
  });
});
