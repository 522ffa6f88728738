import { describe, expect, it } from 'vitest';
import { DEFAULT_INPUT_LIMITS, checkInputText, inputTextError } from './input-text-check.ts';

function nested(depth: number): unknown {
  let value: unknown = 'leaf';
  for (let i = 0; i < depth; i++) value = { a: value };
  return value;
}

describe('checkInputText', () => {
  it('accepts ordinary arguments', () => {
    expect(checkInputText({ id: 'cus_01', lines: [{ sku: 'A-1', quantity: 2 }], note: 'café ☕ 𝄞', n: null, ok: true })).toBeUndefined();
    expect(checkInputText(nested(DEFAULT_INPUT_LIMITS.maxDepth - 1))).toBeUndefined();
  });

  it('names the field holding a NUL, a lone surrogate, or a too long string', () => {
    expect(checkInputText({ customer: { note: 'a\u0000b' } })).toEqual({ path: 'customer.note', message: expect.stringContaining('NUL') });
    expect(checkInputText({ lines: [{ sku: 'ok' }, { sku: '\uD800x' }] })).toEqual({ path: 'lines.1.sku', message: expect.stringContaining('surrogate') });
    expect(checkInputText({ q: '\uDC00' })?.path).toBe('q');
    expect(checkInputText({ q: 'x'.repeat(65_537) })).toEqual({ path: 'q', message: 'is longer than 65536 characters' });
    expect(checkInputText('\u0000')?.path).toBe('(root)');
  });

  it('checks keys too, without echoing a hostile key', () => {
    const problem = checkInputText({ ['k\u0000' + 'x'.repeat(100)]: 1 });
    expect(problem?.message).toMatch(/^has a key that contains a NUL/);
    expect(problem?.path).not.toContain('\u0000');
    expect(problem?.path.length).toBeLessThan(100);
  });

  it('refuses depth beyond the limit without recursing, also 100,000 levels deep', () => {
    expect(checkInputText(nested(40))).toEqual({ path: Array(32).fill('a').join('.'), message: 'is nested deeper than 32 levels' });
    let deep: unknown = [];
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(checkInputText({ v: deep })?.message).toBe('is nested deeper than 32 levels');
  });

  it('refuses too much in all', () => {
    expect(checkInputText({ a: Array(20).fill('x'.repeat(60_000)) })?.message).toMatch(/more than 1048576 characters/);
    expect(checkInputText({ a: Array(100_001).fill(1) })?.message).toMatch(/more than 100000 values/);
  });

  it("is the runtime's VALIDATION_FAILED shape", () => {
    const error = inputTextError({ path: 'carrier', message: 'contains a NUL character' });
    expect(error).toMatchObject({
      code: 'VALIDATION_FAILED',
      retryable: false,
      details: { issues: [{ path: 'carrier', message: 'contains a NUL character' }] },
    });
    expect(error.message).toBe('Invalid arguments: carrier: contains a NUL character. Fix them and call again.');
  });
});
