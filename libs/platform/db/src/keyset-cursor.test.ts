import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { decodeCursor, encodeCursor, MAX_CURSOR_LENGTH } from './keyset-cursor.ts';

const shape = z.object({ created_at: z.iso.datetime(), id: z.string().startsWith('cus_') }).strict();

describe('keyset cursors', () => {
  it('round-trips the last row key as an opaque base64url string', () => {
    const values = { created_at: '2025-01-02T03:04:05.000Z', id: 'cus_1' };
    const cursor = encodeCursor(values);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(cursor, shape)).toEqual(values);
  });

  it('keeps numbers and nulls', () => {
    const numeric = z.object({ total: z.number().int(), note: z.string().nullable() });
    expect(decodeCursor(encodeCursor({ total: 42, note: null }), numeric)).toEqual({ total: 42, note: null });
  });

  it.each([
    ['not base64url', 'abc$%'],
    ['not JSON', Buffer.from('{nope').toString('base64url')],
    ['a JSON array', Buffer.from('[1]').toString('base64url')],
    ['the wrong shape', encodeCursor({ created_at: 'yesterday', id: 'cus_1' })],
    ['an extra key (tampered)', encodeCursor({ created_at: '2025-01-02T03:04:05.000Z', id: 'cus_1', admin: 1 })],
    ['too long', 'a'.repeat(MAX_CURSOR_LENGTH + 1)],
    ['empty', ''],
  ])('refuses %s with VALIDATION_FAILED', (_label, cursor) => {
    expect(() => decodeCursor(cursor, shape)).toThrow(
      expect.objectContaining({
        code: 'VALIDATION_FAILED',
        message: 'cursor is invalid or expired; request the first page again without a cursor.',
        details: { field: 'cursor' },
      }),
    );
  });

  it('refuses to make a cursor longer than the contract allows', () => {
    expect(() => encodeCursor({ id: 'x'.repeat(400) })).toThrow(expect.objectContaining({ code: 'INTERNAL' }));
  });
});
