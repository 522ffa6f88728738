import { describe, expect, it } from 'vitest';
import { LexiconCache } from './lexicon-cache.ts';

describe('LexiconCache', () => {
  it('answers until the entry expires', () => {
    let now = 1000;
    const cache = new LexiconCache({ ttlMs: 100, now: () => now });
    cache.set('wirelss', { known: false, corrections: [{ word: 'wireless', similarity: 0.55 }] });
    expect(cache.get('wirelss')).toEqual({ known: false, corrections: [{ word: 'wireless', similarity: 0.55 }] });
    now = 1099;
    expect(cache.get('wirelss')?.known).toBe(false);
    now = 1100;
    expect(cache.get('wirelss')).toBeUndefined();
  });

  it('drops the oldest entry when full', () => {
    const cache = new LexiconCache({ maxEntries: 2 });
    cache.set('a', { known: true, corrections: [] });
    cache.set('b', { known: true, corrections: [] });
    cache.set('c', { known: true, corrections: [] });
    expect([cache.get('a'), cache.get('b')?.known, cache.get('c')?.known]).toEqual([undefined, true, true]);
  });

  it('refuses bad settings', () => {
    expect(() => new LexiconCache({ ttlMs: -1 })).toThrow(TypeError);
    expect(() => new LexiconCache({ maxEntries: 0 })).toThrow(TypeError);
  });
});
