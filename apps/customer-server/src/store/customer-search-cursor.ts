import { z } from 'zod';
import { decodeCursor, searchFingerprint } from '@mcpfed/db';
import { AppError } from '@mcpfed/errors';
import type { CustomerSearchParams, CustomerSort } from './customer-search-store.ts';

const cursorShape = z.strictObject({
  q: z.string().max(16),
  k: z.union([z.string().max(400), z.number()]),
  id: z.string().max(40),
});

/** Where a search page continues: the last row's sort key and id. */
export interface CustomerSearchPosition {
  key: number | string | Date;
  id: string;
}

/** What a customer search's cursor is bound to; the order and encoding are fixed (see searchFingerprint of @mcpfed/db). */
export function customerSearchFingerprint(params: CustomerSearchParams): string {
  return searchFingerprint([
    params.query?.toLowerCase() ?? null,
    // A page scored with emails must not continue as one scored without (or the other way round).
    params.matchEmail,
    params.tier ?? null,
    params.status ?? null,
    params.createdFrom?.toISOString() ?? null,
    params.createdTo?.toISOString() ?? null,
    params.sort,
    params.customerId ?? null,
  ]);
}

/** The position a search cursor holds; VALIDATION_FAILED when it belongs to another search or does not fit `sort`. */
export function decodeSearchCursor(cursor: string, fingerprint: string, sort: CustomerSort): CustomerSearchPosition {
  const values = decodeCursor(cursor, cursorShape);
  const invalid = (): AppError =>
    new AppError('VALIDATION_FAILED', 'cursor belongs to another search (query, filter or sort changed); request the first page again without a cursor.', {
      details: { field: 'cursor' },
    });
  if (values.q !== fingerprint) throw invalid();
  if (sort === 'relevance') {
    if (typeof values.k !== 'number') throw invalid();
    return { key: values.k, id: values.id };
  }
  if (typeof values.k !== 'string') throw invalid();
  if (sort === 'name_asc') return { key: values.k, id: values.id };
  const at = new Date(values.k);
  if (Number.isNaN(at.getTime())) throw invalid();
  return { key: at, id: values.id };
}
