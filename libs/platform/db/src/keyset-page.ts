import { encodeCursor } from './keyset-cursor.ts';
import type { CursorValues } from './keyset-cursor.ts';

/** One page of a keyset-paginated list and the cursor of the next page. */
export interface KeysetPage<Row> {
  readonly rows: Row[];
  /** The cursor after the last row shown, `null` on the last page. */
  readonly nextCursor: string | null;
}

/**
 * Cuts a list fetched with `limit + 1` rows into the page to show: the extra row only says that more follow, so
 * the next cursor is the sort key of the last row shown (`cursorOf`), and `null` when nothing follows.
 */
export function keysetPage<Row>(rows: Row[], limit: number, cursorOf: (last: Row) => CursorValues): KeysetPage<Row> {
  const more = rows.length > limit;
  const visible = more ? rows.slice(0, limit) : rows;
  const last = visible.at(-1);
  return { rows: visible, nextCursor: more && last !== undefined ? encodeCursor(cursorOf(last)) : null };
}
