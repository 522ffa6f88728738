import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { decodeCursor } from './keyset-cursor.ts';
import { keysetPage } from './keyset-page.ts';

const shape = z.object({ id: z.string() });

describe('keysetPage', () => {
  it('shows `limit` rows and points the next cursor at the last one shown when more follow', () => {
    const page = keysetPage([{ id: 'c' }, { id: 'b' }, { id: 'a' }], 2, (last) => ({ id: last.id }));
    expect(page.rows).toEqual([{ id: 'c' }, { id: 'b' }]);
    expect(page.nextCursor).not.toBeNull();
    expect(decodeCursor(page.nextCursor as string, shape)).toEqual({ id: 'b' });
  });

  it('has no next cursor on the last page', () => {
    expect(keysetPage([{ id: 'b' }, { id: 'a' }], 2, (last) => ({ id: last.id }))).toEqual({ rows: [{ id: 'b' }, { id: 'a' }], nextCursor: null });
    expect(keysetPage([], 2, () => ({ id: 'x' }))).toEqual({ rows: [], nextCursor: null });
  });
});
