import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { ContractInput, ContractOutput } from '@mcpfed/contract-common';
import type { productSearch } from '@mcpfed/contract-product';
import { decodeCursor, encodeCursor, searchFingerprint } from '@mcpfed/db';
import { AppError } from '@mcpfed/errors';
import type { RequestContext } from '@mcpfed/mcp-runtime';
import type { ProductDatabase } from '../../store/product-database.ts';
import { ProductSearchStore } from '../store/product-search-store.ts';
import type { ProductFilter, ProductSort, SearchHit, SearchPosition, TextQuery } from '../store/product-search-store.ts';
import type { LexiconCache, LexiconEntry } from './lexicon-cache.ts';
import { searchItemView } from './product-view.ts';
import {
  CORRECTION_THRESHOLD,
  MAX_CORRECTIONS,
  isCorrectable,
  keptCorrections,
  matchQuery,
  queryWords,
  termQuery,
  typedQuery,
  weightedQuery,
} from './search-query.ts';
import type { QueryTerm } from './search-query.ts';

const cursorShape = z.strictObject({
  q: z.string().max(16),
  k: z.union([z.number(), z.string().max(40)]),
  s: z.string().max(64),
  // Relevance: the product_shuffle(sku) of the last row, the tie-break within its tier.
  b: z.number().int().min(0).max(4095).optional(),
  d: z
    .string()
    .regex(/^\d{1,2}(,\d{1,2}){0,9}$/)
    .optional(),
});

/**
 * product_search: reads the query (words, typo corrections from the lexicon, through `cache` when given), runs
 * one keyset page, retries without words that match nothing, and adds facets on a first page when asked.
 */
export async function searchProducts(
  db: Kysely<ProductDatabase>,
  input: ContractInput<typeof productSearch>,
  cache: LexiconCache | undefined,
  ctx: Pick<RequestContext, 'signal'>,
): Promise<ContractOutput<typeof productSearch>> {
  const words = input.query === undefined ? [] : queryWords(input.query);
  const filter: ProductFilter = {
    category: input.filter?.category,
    minPrice: input.filter?.min_price,
    maxPrice: input.filter?.max_price,
    currency: input.filter?.currency,
    inStock: input.filter?.in_stock,
    status: input.filter?.status ?? 'active',
  };
  // Amounts are minor units of some currency: 1000 is ten euros or a thousand yen, so a bound means nothing alone.
  if ((filter.minPrice !== undefined || filter.maxPrice !== undefined) && filter.currency === undefined) {
    throw new AppError('VALIDATION_FAILED', 'filter.min_price and filter.max_price need filter.currency: prices are compared only within one currency.', {
      details: { issues: [{ path: 'filter.currency', message: 'required with min_price or max_price' }] },
    });
  }
  if (filter.minPrice !== undefined && filter.maxPrice !== undefined && filter.minPrice > filter.maxPrice) {
    throw new AppError('VALIDATION_FAILED', 'filter.min_price must not be greater than filter.max_price.', {
      details: { issues: [{ path: 'filter.min_price', message: 'greater than max_price' }] },
    });
  }
  const requested = input.sort ?? (words.length > 0 ? 'relevance' : 'newest');
  const sort: ProductSort = requested === 'relevance' && words.length === 0 ? 'newest' : requested;
  const fingerprint = productSearchFingerprint(words, filter, sort);
  const cursor = input.cursor === undefined ? undefined : decodeSearchCursor(input.cursor, fingerprint, sort);

  const store = new ProductSearchStore(db, ctx.signal);
  const lexicon = await lookUp(store, words, cache);
  const terms: QueryTerm[] = words.map((term) => ({ term, corrections: keptCorrections(lexicon.get(term)?.corrections ?? []) }));
  let dropped = new Set(cursor?.dropped ?? []);
  let rows = await store.search(textQuery(terms, dropped), filter, sort, input.limit, cursor?.position);
  // Every word must match; a word that matches no product at all would empty any search, so it is dropped. A
  // word of the lexicon, or with corrections from it, is in some product's name, brand or category: only the
  // others (numbers, description-only words, gibberish) need a look at the products.
  const doubtful = terms.flatMap((term, index) => (lexicon.get(term.term)?.known === true || term.corrections.length > 0 ? [] : [index]));
  if (rows.length === 0 && cursor === undefined && doubtful.length > 0) {
    const found = await store.matchesAny(doubtful.map((index) => termQuery(terms[index] as QueryTerm)));
    dropped = new Set(doubtful.filter((_, position) => found[position] !== true));
    if (dropped.size > 0 && dropped.size < terms.length) rows = await store.search(textQuery(terms, dropped), filter, sort, input.limit, undefined);
  }
  const more = rows.length > input.limit;
  const visible = more ? rows.slice(0, input.limit) : rows;
  const last = visible.at(-1);
  const next_cursor =
    more && last !== undefined
      ? encodeCursor({
          q: fingerprint,
          k: sortKey(last, sort),
          s: last.sku,
          ...(sort === 'relevance' ? { b: last.shuffle ?? 0 } : {}),
          ...(dropped.size > 0 ? { d: [...dropped].join(',') } : {}),
        })
      : null;
  const searchable = dropped.size < terms.length || terms.length === 0;
  const facets = input.facets && cursor === undefined && searchable ? await store.facets(textQuery(terms, dropped), filter) : null;
  return {
    items: visible.map(searchItemView),
    next_cursor,
    facets,
    query_terms: terms.filter((_, index) => !dropped.has(index)),
    ignored_terms: terms.filter((_, index) => dropped.has(index)).map((term) => term.term),
  };
}

/** The lexicon's answer for each word: from the cache where it has one, the rest in one query (then cached). */
async function lookUp(store: ProductSearchStore, words: readonly string[], cache: LexiconCache | undefined): Promise<Map<string, LexiconEntry>> {
  const out = new Map<string, LexiconEntry>();
  const missing: string[] = [];
  for (const word of words) {
    const hit = cache?.get(word);
    if (hit === undefined) missing.push(word);
    else out.set(word, hit);
  }
  if (missing.length === 0) return out;
  const found = await store.lexicon(missing, missing.filter(isCorrectable), CORRECTION_THRESHOLD, MAX_CORRECTIONS);
  for (const word of missing) {
    const entry: LexiconEntry = { known: found.known.has(word), corrections: found.corrections.get(word) ?? [] };
    out.set(word, entry);
    cache?.set(word, entry);
  }
  return out;
}

function textQuery(terms: readonly QueryTerm[], dropped: ReadonlySet<number>): TextQuery | undefined {
  const kept = terms.filter((_, index) => !dropped.has(index));
  return kept.length === 0
    ? undefined
    : { match: matchQuery(kept), typed: typedQuery(kept), name: weightedQuery(kept, 'A'), fields: weightedQuery(kept, 'AB') };
}

function sortKey(row: SearchHit, sort: ProductSort): number | string {
  if (sort === 'relevance') return row.score ?? 0;
  if (sort === 'newest') return row.created_at.toISOString();
  return row.price_amount;
}

/** What a product search's cursor is bound to; the order and encoding are fixed (see searchFingerprint of @mcpfed/db). */
function productSearchFingerprint(words: readonly string[], filter: ProductFilter, sort: ProductSort): string {
  return searchFingerprint([words, filter.category, filter.minPrice, filter.maxPrice, filter.currency, filter.inStock, filter.status, sort]);
}

function decodeSearchCursor(cursor: string, fingerprint: string, sort: ProductSort): { position: SearchPosition; dropped: number[] } {
  const values = decodeCursor(cursor, cursorShape);
  const invalid = (): AppError =>
    new AppError('VALIDATION_FAILED', 'cursor belongs to another search (query, filter or sort changed); request the first page again without a cursor.', {
      details: { field: 'cursor' },
    });
  if (values.q !== fingerprint) throw invalid();
  const numeric = sort !== 'newest';
  if (numeric !== (typeof values.k === 'number')) throw invalid();
  if (!numeric && Number.isNaN(new Date(values.k).getTime())) throw invalid();
  const relevance = sort === 'relevance';
  if (relevance !== (values.b !== undefined)) throw invalid();
  return { position: { key: values.k, sku: values.s, shuffle: values.b }, dropped: values.d === undefined ? [] : values.d.split(',').map(Number) };
}
