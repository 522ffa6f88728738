import { LRUCache } from 'lru-cache';

/** What the lexicon says about one word. */
export interface LexiconEntry {
  /** The word itself is in the lexicon. */
  known: boolean;
  /** Correction candidates (lexicon words), most similar first; empty for known words. */
  corrections: ReadonlyArray<{ word: string; similarity: number }>;
}

/** Settings of a {@link LexiconCache}. */
export interface LexiconCacheConfig {
  /** How long an entry is used, in milliseconds. Default 30000. */
  ttlMs?: number;
  /** Most words kept; the least recently used go first. Default 10000. */
  maxEntries?: number;
  /** The clock, in milliseconds (tests). Default Date.now. */
  now?: () => number;
}

/**
 * Lexicon answers per word, for a while: shoppers type the same words again and again, and a search that finds
 * all its words here saves a database round trip. The lexicon only grows, so an entry can only be behind by words
 * added within `ttlMs`: such a word still matches exactly (the typed word is always searched); only typos of it
 * are not corrected until the entry expires.
 */
export class LexiconCache {
  readonly #entries: LRUCache<string, { at: number; entry: LexiconEntry }>;
  readonly #ttlMs: number;
  readonly #now: () => number;

  constructor(config: LexiconCacheConfig = {}) {
    const maxEntries = config.maxEntries ?? 10_000;
    this.#ttlMs = config.ttlMs ?? 30_000;
    this.#now = config.now ?? Date.now;
    if (!Number.isInteger(this.#ttlMs) || this.#ttlMs < 0) throw new TypeError('LexiconCache: ttlMs must be a whole number >= 0');
    if (!Number.isInteger(maxEntries) || maxEntries < 1) throw new TypeError('LexiconCache: maxEntries must be a positive whole number');
    // lru-cache bounds the size; the age is checked here (lru-cache's own TTL keeps an entry one millisecond past
    // ttlMs, and reads its clock at most once per millisecond).
    this.#entries = new LRUCache({ max: maxEntries });
  }

  /** The entry of a word, unless it is missing or expired. */
  get(word: string): LexiconEntry | undefined {
    const hit = this.#entries.get(word);
    if (hit === undefined) return undefined;
    if (this.#now() - hit.at >= this.#ttlMs) {
      this.#entries.delete(word);
      return undefined;
    }
    return hit.entry;
  }

  /** Remembers a word's entry (the least recently used entry goes when full). */
  set(word: string, entry: LexiconEntry): void {
    this.#entries.set(word, { at: this.#now(), entry });
  }
}
