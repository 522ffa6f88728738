import { z } from 'zod';
import { currencySchema, cursorSchema, defineTool, limitSchema, nextCursorSchema } from '@mcpfed/contract-common';
import { MAX_PRICE_AMOUNT, PRODUCT_STATUSES, categorySchema, productSummarySchema } from './schemas.ts';

/** Sort orders of product_search. */
export const PRODUCT_SEARCH_SORTS = ['relevance', 'price_asc', 'price_desc', 'newest'] as const;

/** How many matches facets count at most (`facets.exact` is false past it). */
export const FACET_COUNT_LIMIT = 200;

const priceBound = z.number().int().min(0).max(MAX_PRICE_AMOUNT);

/** Full-text product search with typo tolerance, filters, category facets and keyset pagination. */
export const productSearch = defineTool({
  name: 'product_search',
  title: 'Search products',
  description:
    'Finds products by free text over name, SKU, brand, category and description (every word must match, ' +
    'typos corrected: query_terms, ignored_terms), with filters and category facets; then product_get or ' +
    'product_lookup. Sorts: relevance (default with a query), newest (default without), price_asc, ' +
    'price_desc. Prices are integer minor units; min_price / max_price need filter.currency. Returns { ' +
    'items, next_cursor, facets, query_terms, ignored_terms }; pass next_cursor with the same query, ' +
    'filter and sort. On failure: VALIDATION_FAILED (bad filter, or a cursor of another search); ' +
    'TIMEOUT when a search runs too long (add words or filters, or sort by price or newest). Relevance ranks every match by tier (5 best).',
  guide:
    'How the query is read: it is split into words; every word must match (AND), in any field, with English ' +
    'stemming ("headphone" finds "headphones"). Typos are corrected per word: a word that appears in no product ' +
    'name, brand or category is matched with up to 3 similar words that do (pg_trgm trigram similarity >= 0.35 ' +
    'of the word, or of its letters sorted so swapped letters still match; corrections more than 0.1 below the ' +
    'best one are dropped), so ' +
    '"wirelss headphnes" searches for (wirelss OR wireless) AND (headphnes OR headphones); query_terms shows each ' +
    'word and its corrections. Words that match no product at all are dropped and listed in ignored_terms.\n\n' +
    'Ranking (sort "relevance", the default with a query): by tier, then a fixed shuffle of the SKUs. The tier ' +
    'is 2 x field + typed: field 2 when every word is in the name or SKU, 1 when every word is in the name, SKU, ' +
    'brand or category, else 0; typed 1 when every word is found as typed or as its closest correction. So ' +
    'relevance 5 = all words in the name, as typed; 1 = some only in the description. Within a tier products come in the order of product_shuffle(sku) (the first 12 bits ' +
    'of the MD5 of the SKU, 0-4095), then SKU ascending: a fixed order that favours no brand or category. ' +
    'Relevance ranks every matching product, however many, so the best matches always come first and next_cursor ' +
    'continues that exact order. Without a query the default sort is "newest". ' +
    'Other sorts: "price_asc", "price_desc", "newest" (exact over all matches). relevance in items is the tier (0-5, ' +
    'higher is better), null for other sorts.\n\n' +
    'Filters: min_price / max_price compare only prices in the given currency; in_stock means available > 0 at ' +
    'some location. facets: true adds counts of matching products per category (the category filter itself is not ' +
    `applied to the counts, so you see where else matches are); counts cover at most ${FACET_COUNT_LIMIT} matches and ` +
    'facets.exact says whether they are complete; they are returned on the first page only.',
  input: z.strictObject({
    query: z.string().trim().min(1).max(200).optional().describe('Free text, typos tolerated, e.g. "wireless headphones".'),
    filter: z
      .strictObject({
        category: categorySchema.optional(),
        min_price: priceBound.optional().describe('Lowest price (integer minor units), inclusive.'),
        max_price: priceBound.optional().describe('Highest price (integer minor units), inclusive.'),
        currency: currencySchema.optional().describe('Only products priced in this currency. Required with min_price or max_price.'),
        in_stock: z.boolean().optional().describe('true: only products with units available; false: only those without.'),
        status: z.enum(PRODUCT_STATUSES).default('active').describe('Default "active" (the products that are sold).'),
      })
      .optional(),
    sort: z.enum(PRODUCT_SEARCH_SORTS).optional().describe('Default: relevance with a query, else newest.'),
    facets: z.boolean().default(false).describe('true: also return product counts per category for this query and filter.'),
    limit: limitSchema,
    cursor: cursorSchema.optional(),
  }),
  output: z.object({
    items: z.array(
      productSummarySchema.extend({
        relevance: z.number().nullable().describe('Text relevance (higher is better); null when not sorted by relevance.'),
      }),
    ),
    next_cursor: nextCursorSchema,
    facets: z
      .object({
        categories: z.array(z.object({ category: z.string(), count: z.number().int() })).describe('Most matches first.'),
        total: z.number().int().describe('Matching products counted (all categories).'),
        exact: z.boolean().describe(`False when ${FACET_COUNT_LIMIT} or more products match: counts then cover ${FACET_COUNT_LIMIT} of them.`),
      })
      .nullable()
      .describe('Only when facets: true on a first page (no cursor); null otherwise.'),
    query_terms: z
      .array(z.object({ term: z.string(), corrections: z.array(z.string()) }))
      .describe('The words searched for, each with the typo corrections also accepted for it.'),
    ignored_terms: z.array(z.string()).describe('Words dropped because no product matches them.'),
  }),
  scopes: ['product:read'],
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  idempotency: 'none',
});
