import { AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/ajv';
import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { defineTool, moneySchema } from '@mcpfed/contract-common';
import { advertisedOutputSchema, patternMaxLength, toolDefinition } from './tool-definition.ts';

const at = z.iso.datetime().describe('ISO 8601 timestamp.');
const tool = defineTool({
  name: 'widget_get',
  title: 'Get a widget',
  description: 'Returns one widget by id. On failure: NOT_FOUND for an unknown id (check the id and do not retry).',
  guide: 'Widgets are kept forever.',
  input: z.strictObject({ id: z.string().regex(/^wid_[a-z0-9]{4}$/), since: at.optional(), count: z.number().int().min(1).optional() }),
  output: z.strictObject({
    id: z.string().regex(/^wid_[a-z0-9]{4}$/),
    price: moneySchema,
    was: moneySchema.nullable(),
    created_at: at,
    updated_at: at,
    count: z.number().int(),
  }),
  scopes: ['product:read'],
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  idempotency: 'none',
});

const success = {
  id: 'wid_ab12',
  price: { amount: 1999, currency: 'EUR' },
  was: null,
  created_at: '2025-03-01T12:00:00.000Z',
  updated_at: '2025-03-01T12:00:00.000Z',
  count: 3,
};

describe('toolDefinition', () => {
  const definition = toolDefinition(tool, 5000);
  const json = JSON.stringify(definition);

  it('writes a shape used more than once once, in the root $defs, and the SDK client validator resolves it', () => {
    const output = advertisedOutputSchema(tool.output);
    // Short or single-use shapes are written in place; the rest are named d0, d1, …
    expect(Object.keys(output['$defs'] as object)).toEqual(['d0']);
    expect(JSON.stringify(output)).not.toContain('__schema');
    expect(JSON.stringify(output).match(/"amount":/g)).toHaveLength(1);
    const validate = new AjvJsonSchemaValidator().getValidator(output);
    expect(validate(success).valid).toBe(true);
    expect(validate({ error: { code: 'NOT_FOUND', message: 'no widget wid_ab12', retryable: false, request_id: 'r1' } }).valid).toBe(true);
    // Still a check, not a formality: a result missing a field or with a wrongly typed one is refused.
    const { price: _price, ...withoutPrice } = success;
    expect(validate(withoutPrice).valid).toBe(false);
    expect(validate({ ...success, price: { amount: '19.99', currency: 'EUR' } }).valid).toBe(false);
    // The error branch asks only for `error`: its fields are the same for every tool (the instructions name them).
    expect(validate({ nothing: true }).valid).toBe(false);
  });

  it('leaves out the safe-integer bounds and a pattern beside a format, keeps input patterns and bounds', () => {
    expect(json).not.toContain(String(Number.MAX_SAFE_INTEGER));
    expect(json).not.toContain('(?:(?:\\\\d\\\\d[2468]');
    const input = definition['inputSchema'] as { properties: Record<string, Record<string, unknown>>; additionalProperties: unknown };
    expect(input.properties['id']?.['pattern']).toBe('^wid_[a-z0-9]{4}$');
    expect(input.properties['count']?.['minimum']).toBe(1);
    expect(input.properties['since']?.['format']).toBe('date-time');
    expect(input.additionalProperties).toBe(false);
  });

  it('spells a nullable type and a string enum short, leaves field descriptions out, and means the same', () => {
    const output = advertisedOutputSchema(
      z.strictObject({
        status: z.enum(['open', 'closed']).describe('Where it stands.'),
        reason: z.enum(['late', 'lost']).nullable(),
        note: z.string().nullable(),
        kind: z.literal('box'),
        at: at.nullable(),
      }),
    );
    const success = (output['anyOf'] as Array<Record<string, unknown>>)[0];
    expect(success).toEqual({
      properties: {
        status: { enum: ['open', 'closed'] },
        reason: { enum: ['late', 'lost', null] },
        note: { type: ['string', 'null'] },
        kind: { const: 'box' },
        at: { type: ['string', 'null'] },
      },
      required: ['status', 'reason', 'note', 'kind', 'at'],
    });
    expect(output['type']).toBe('object');
    const validate = new AjvJsonSchemaValidator().getValidator(output);
    expect(validate({ status: 'open', reason: null, note: null, kind: 'box', at: null }).valid).toBe(true);
    expect(validate({ status: 'shut', reason: null, note: null, kind: 'box', at: null }).valid).toBe(false);
    expect(validate({ status: 'open', reason: 'stolen', note: null, kind: 'box', at: null }).valid).toBe(false);
    expect(validate({ status: 'open', reason: null, note: 3, kind: 'box', at: null }).valid).toBe(false);
    expect(validate({ status: 'open', reason: null, note: null, kind: 'bag', at: null }).valid).toBe(false);
    expect(validate([]).valid).toBe(false);
  });

  it('lists the description alone (the instructions name the guide resources once)', () => {
    expect(definition['description']).toBe(tool.description);
  });
});

describe('patternMaxLength', () => {
  it('measures anchored patterns of literals, classes and bounded repeats, and nothing else', () => {
    expect(patternMaxLength('^cus_[0-9a-hjkmnp-tv-z]{26}$')).toBe(30);
    expect(patternMaxLength('^[A-Z0-9][A-Z0-9._-]{1,63}$')).toBe(64);
    expect(patternMaxLength('^\\+[1-9][0-9]{6,14}$')).toBe(16);
    expect(patternMaxLength('^[A-Za-z0-9:_\\-.]+$')).toBeUndefined();
    expect(patternMaxLength('^pm_([0-9a-z]{26}|card_[a-z_]{1,40})$')).toBeUndefined();
    expect(patternMaxLength('^[a-z]{2,}$')).toBeUndefined();
    expect(patternMaxLength('[a-z]{2}')).toBeUndefined();
    expect(patternMaxLength('^a.b$')).toBeUndefined();
  });
});
