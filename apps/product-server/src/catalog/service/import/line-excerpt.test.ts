import { describe, expect, it } from 'vitest';
import { MAX_EXCERPT_CHARS, lineExcerpt } from './line-excerpt.ts';

describe('lineExcerpt', () => {
  it('keeps letters, digits and plain punctuation of any script as they are', () => {
    const line = '{"sku":"HP-1","name":"Kopfhörer für Büro, 日本語 (2 m)"}';
    expect(lineExcerpt(line)).toBe(line);
  });

  it('escapes control characters, markup, invisible marks and unpaired surrogates', () => {
    expect(lineExcerpt('a\u0000b\u001b[31mc\u007f\u0085')).toBe(String.raw`a\u0000b\u001b[31mc\u007f\u0085`);
    expect(lineExcerpt('<b>&amp;`x`</b>')).toBe(String.raw`\u003cb\u003e\u0026amp;\u0060x\u0060\u003c/b\u003e`);
    expect(lineExcerpt('x\u202Eexe\u200B\u2028\u2066')).toBe(String.raw`x\u202eexe\u200b\u2028\u2066`);
    expect(lineExcerpt('\ud800 \udc00 \u{1F600} e\u0301')).toBe(String.raw`\ud800 \udc00 \u{1f600} e\u0301`);
  });

  it('cuts at a whole escape, marks the cut, and changes nothing when applied again', () => {
    const long = lineExcerpt('x'.repeat(1000));
    expect(long).toBe(`${'x'.repeat(MAX_EXCERPT_CHARS)}...`);
    const escapes = lineExcerpt('\u0001'.repeat(100));
    expect(escapes).toBe(`${String.raw`\u0001`.repeat(20)}...`);
    for (const text of [long, escapes, lineExcerpt('<a>\u0000'.repeat(50)), lineExcerpt('ok')]) expect(lineExcerpt(text)).toBe(text);
  });
});
