import { describe, expect, it } from 'vitest';
import { formatId, newId } from './new-id.ts';

describe('newId', () => {
  it('is <prefix>_ then 26 Crockford base32 characters', () => {
    expect(newId('cus')).toMatch(/^cus_[0-9abcdefghjkmnpqrstvwxyz]{26}$/);
  });

  it('sorts in creation order, also within one millisecond', () => {
    const ids = Array.from({ length: 1000 }, () => newId('evt', 1_700_000_000_000));
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(1000);
    expect(newId('evt', 1_700_000_000_001) > ids[999]!).toBe(true);
  });

  it('formats deterministically from time and random bytes', () => {
    expect(formatId('x', 0, new Uint8Array(10))).toBe(`x_${'0'.repeat(26)}`);
    expect(formatId('x', 1, new Uint8Array(10).fill(255))).toBe(`x_${'0'.repeat(9)}1${'z'.repeat(16)}`);
  });
});
