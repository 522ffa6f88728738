/** Most words of a query that are searched for; the rest are ignored. */
export const MAX_QUERY_WORDS = 8;
/** pg_trgm similarity a lexicon word needs to count as a correction of a typed word. */
export const CORRECTION_THRESHOLD = 0.35;
/** Corrections per typed word at most. */
export const MAX_CORRECTIONS = 3;
/** How far below the best correction's similarity another correction may be and still count. */
export const CORRECTION_MARGIN = 0.1;

/** One word of a query with the typo corrections accepted for it. */
export interface QueryTerm {
  term: string;
  corrections: string[];
}

/**
 * The words of a text query: lower case, split at anything but letters and digits, duplicates removed, at most
 * {@link MAX_QUERY_WORDS}. Only letters and digits survive, so the words are safe inside a tsquery text.
 */
export function queryWords(query: string): string[] {
  const words = query
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((word) => word.length > 0 && word.length <= 60);
  return [...new Set(words)].slice(0, MAX_QUERY_WORDS);
}

/** Whether a word may be corrected: letters only, 3-40 of them (the lexicon's own rule). */
export function isCorrectable(word: string): boolean {
  return /^\p{L}{3,40}$/u.test(word);
}

/** `to_tsquery` text of one term: the word or any of its corrections. */
export function termQuery(term: QueryTerm): string {
  return [term.term, ...term.corrections].join(' | ');
}

/** `to_tsquery` text that needs every term (each as its word or a correction). */
export function matchQuery(terms: readonly QueryTerm[]): string {
  return terms.map((term) => `(${termQuery(term)})`).join(' & ');
}

/** `to_tsquery` text that needs every term as typed or as its best correction (the typed-word tier bonus). */
export function typedQuery(terms: readonly QueryTerm[]): string {
  return terms.map((term) => `(${[term.term, ...term.corrections.slice(0, 1)].join(' | ')})`).join(' & ');
}

/** {@link matchQuery} restricted to fields of these tsvector weights: `A` name and SKU, `AB` also brand and category. */
export function weightedQuery(terms: readonly QueryTerm[], weights: 'A' | 'AB'): string {
  return terms.map((term) => `(${[term.term, ...term.corrections].map((word) => `${word}:${weights}`).join(' | ')})`).join(' & ');
}

/**
 * The corrections kept for a word: those within {@link CORRECTION_MARGIN} of the most similar one, so
 * "wirelss" becomes "wireless" (0.55) and not also "wired" (0.40).
 */
export function keptCorrections(candidates: ReadonlyArray<{ word: string; similarity: number }>): string[] {
  const best = candidates[0]?.similarity ?? 0;
  return candidates.filter((candidate) => candidate.similarity >= best - CORRECTION_MARGIN).map((candidate) => candidate.word);
}
