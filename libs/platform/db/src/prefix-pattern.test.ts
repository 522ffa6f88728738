import { describe, expect, it } from 'vitest';
import { prefixPattern } from './prefix-pattern.ts';

describe('prefixPattern', () => {
  it('escapes the LIKE wildcards and the escape character', () => {
    expect(prefixPattern('cus_01')).toBe('cus\\_01%');
    expect(prefixPattern('a%b\\c')).toBe('a\\%b\\\\c%');
    expect(prefixPattern('')).toBe('%');
  });
});
