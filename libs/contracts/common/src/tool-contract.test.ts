import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { cursorSchema, idempotencyKeySchema, limitSchema } from './schemas.ts';
import { defineTool } from './tool-contract.ts';

const base = {
  title: 'Get thing',
  description: 'Returns one thing by id. Fails with NOT_FOUND when there is no such thing; check the id.',
  input: z.strictObject({ id: z.string() }),
  output: z.object({ id: z.string() }),
  scopes: ['customer:read'] as const,
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  idempotency: 'none' as const,
};

describe('defineTool', () => {
  it('accepts a well-formed tool and freezes it', () => {
    const tool = defineTool({ ...base, name: 'thing_get' });
    expect(tool.name).toBe('thing_get');
    expect(Object.isFrozen(tool)).toBe(true);
  });

  it('refuses names that break the <domain>_<verb>[_<noun>] rule or exceed 48 characters', () => {
    for (const name of ['get', 'Thing_get', 'thing-get', 'thing__get', '_thing_get', `thing_${'x'.repeat(43)}`]) {
      expect(() => defineTool({ ...base, name })).toThrow(/snake_case/);
    }
    expect(defineTool({ ...base, name: `thing_${'x'.repeat(42)}` }).name).toHaveLength(48);
  });

  it('requires an idempotency_key field when idempotency is required', () => {
    expect(() => defineTool({ ...base, name: 'thing_create', idempotency: 'required' })).toThrow(/idempotency_key/);
    const ok = defineTool({
      ...base,
      name: 'thing_create',
      idempotency: 'required',
      input: z.strictObject({ id: z.string(), idempotency_key: idempotencyKeySchema }),
    });
    expect(ok.idempotency).toBe('required');
  });

  it('requires a description written for a model', () => {
    expect(() => defineTool({ ...base, name: 'thing_get', description: 'Gets a thing.' })).toThrow(/description/);
  });
});

describe('shared schemas', () => {
  it('bounds list limits to 1-100 with default 20', () => {
    expect(limitSchema.parse(undefined)).toBe(20);
    expect(limitSchema.safeParse(0).success).toBe(false);
    expect(limitSchema.safeParse(101).success).toBe(false);
    expect(limitSchema.safeParse(2.5).success).toBe(false);
  });

  it('keeps cursors and idempotency keys to safe sizes and characters', () => {
    expect(cursorSchema.safeParse('x'.repeat(513)).success).toBe(false);
    expect(idempotencyKeySchema.safeParse('short').success).toBe(false);
    expect(idempotencyKeySchema.safeParse('checkout:ord_1:reserve').success).toBe(true);
    expect(idempotencyKeySchema.safeParse('has spaces in it').success).toBe(false);
  });
});
