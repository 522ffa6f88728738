import type { ProductStatus } from '@mcpfed/contract-product';

/** The filters of a search (all optional except status). */
export interface ProductFilter {
  category?: string | undefined;
  /** Inclusive, integer minor units. */
  minPrice?: number | undefined;
  /** Inclusive, integer minor units. */
  maxPrice?: number | undefined;
  currency?: string | undefined;
  /** true: available > 0 somewhere; false: nowhere. */
  inStock?: boolean | undefined;
  status: ProductStatus;
}

/** What the lexicon says about the words of a query. */
export interface LexiconMatches {
  /** Words that are in the lexicon themselves. */
  known: Set<string>;
  /** Correction candidates of the words that are not, most similar first. */
  corrections: Map<string, Array<{ word: string; similarity: number }>>;
}

/** A parsed text query, as tsquery texts (see search-query.ts). */
export interface TextQuery {
  /** Every word group ANDed, each group the typed word OR its corrections, e.g. `(wirelss | wireless) & (headphones)`. */
  match: string;
  /** `match` with each group cut to the typed word and its best correction: every word as typed (or closest). */
  typed: string;
  /** `match` in the name or SKU only (weight A), e.g. `(wirelss:A | wireless:A) & (headphones:A)`. */
  name: string;
  /** `match` in the name, SKU, brand or category (weights A and B). */
  fields: string;
}

/** Where a page starts: the sort key and SKU of the previous page's last row (relevance: tier, shuffle and SKU). */
export interface SearchPosition {
  key: number | string;
  sku: string;
  /** Relevance only: the `product_shuffle(sku)` of the previous page's last row, the tie-break within its tier. */
  shuffle?: number | undefined;
}

/** Product counts per category of a search. */
export interface CategoryFacets {
  categories: Array<{ category: string; count: number }>;
  total: number;
  exact: boolean;
}
