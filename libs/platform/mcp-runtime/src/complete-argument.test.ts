import { describe, expect, it } from 'vitest';
import { completeArgument } from './complete-argument.ts';
import type { ToolContext } from './types.ts';

const ctx = {} as ToolContext<unknown>;

describe('completeArgument', () => {
  it('answers at most 100 values, hasMore past them and total only when all fit', async () => {
    const upTo = (n: number) => async (_prefix: string, limit: number) => Array.from({ length: Math.min(n, limit) }, (_, i) => `v${i}`);
    const many = (await completeArgument(upTo(150), '', ctx, {})).completion;
    expect(many.hasMore).toBe(true);
    expect('total' in many).toBe(false);
    expect(many.values).toHaveLength(100);
    expect((await completeArgument(upTo(100), '', ctx, {})).completion).toMatchObject({ hasMore: false, total: 100 });
    expect((await completeArgument(upTo(3), 'x'.repeat(129), ctx, {})).completion).toEqual({ values: [], total: 0, hasMore: false });
  });
});
