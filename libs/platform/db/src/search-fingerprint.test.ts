import { describe, expect, it } from 'vitest';
import { searchFingerprint } from './search-fingerprint.ts';

describe('searchFingerprint', () => {
  it('is the same 12 characters it always was, so cursors handed out earlier stay valid', () => {
    // Digests of the customer and product searches' material as they computed it before sharing this helper.
    expect(searchFingerprint(['ada lovelace', 'gold', 'active', '2025-01-01T00:00:00.000Z', null, 'relevance'])).toBe('Zbca0B4sYH-r');
    expect(searchFingerprint([['wireless', 'headphones'], 'audio', undefined, 5000, 'EUR', true, 'active', 'price_asc'])).toBe('woTS2YB4Y_Ce');
    expect(searchFingerprint([])).toBe('T1PNoYwrqgwD');
  });

  it('reads undefined like null (both absent) and tells apart order, values and types', () => {
    expect(searchFingerprint(['a', undefined])).toBe(searchFingerprint(['a', null]));
    const variants = [['a', 'b'], ['b', 'a'], ['a', 'c'], ['a', '1'], ['a', 1], ['a,b'], [['a', 'b']]].map(searchFingerprint);
    expect(new Set(variants).size).toBe(variants.length);
    for (const fingerprint of variants) expect(fingerprint).toMatch(/^[A-Za-z0-9_-]{12}$/);
  });
});
