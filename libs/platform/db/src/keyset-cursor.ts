import { AppError } from '@mcpfed/errors';
import type { z } from 'zod';

/** The values a keyset cursor carries: the sort key of the last row of a page (e.g. `{ created_at, id }`). */
export type CursorValues = Record<string, string | number | null>;

/** Longest cursor, in characters: `cursorSchema` of `@mcpfed/contract-common` accepts at most 512. */
export const MAX_CURSOR_LENGTH = 512;

/**
 * Encodes the last row's sort key as an opaque `next_cursor` (base64url JSON). Not signed: a cursor only selects
 * where a list continues within what the caller may read anyway; {@link decodeCursor} validates its shape.
 */
export function encodeCursor(values: CursorValues): string {
  const cursor = Buffer.from(JSON.stringify(values), 'utf8').toString('base64url');
  if (cursor.length > MAX_CURSOR_LENGTH) {
    throw new AppError('INTERNAL', `A keyset cursor would be longer than ${MAX_CURSOR_LENGTH} characters.`);
  }
  return cursor;
}

/**
 * Decodes a cursor made by {@link encodeCursor} and validates it with `shape` (the same zod object the list
 * uses to build its WHERE clause). Anything else — not base64url, not JSON, wrong shape, too long — is AppError
 * VALIDATION_FAILED "cursor is invalid or expired" with `details { field: 'cursor' }`.
 */
export function decodeCursor<S extends z.ZodType<CursorValues>>(cursor: string, shape: S): z.output<S> {
  if (typeof cursor === 'string' && cursor.length <= MAX_CURSOR_LENGTH && /^[A-Za-z0-9_-]+$/.test(cursor)) {
    try {
      const parsed = shape.safeParse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
      if (parsed.success) return parsed.data;
    } catch {
      // not JSON: same answer as a wrong shape
    }
  }
  throw new AppError('VALIDATION_FAILED', 'cursor is invalid or expired; request the first page again without a cursor.', {
    details: { field: 'cursor' },
  });
}
