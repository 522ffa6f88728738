import { isBulkheadRejectedError } from 'cockatiel';
import { describe, expect, it } from 'vitest';
import { createBulkhead } from './bulkhead.ts';

function gate(): { wait: Promise<void>; open: () => void } {
  const { promise, resolve } = Promise.withResolvers<void>();
  return { wait: promise, open: () => resolve() };
}

describe('createBulkhead', () => {
  it('rejects the (limit+1)th concurrent call at once and admits calls again when a slot frees', async () => {
    const bulkhead = createBulkhead({ limit: 2 });
    const g = gate();
    let started = 0;
    const hold = async (): Promise<string> => {
      started++;
      await g.wait;
      return 'done';
    };
    const first = bulkhead.execute(hold);
    const second = bulkhead.execute(hold);
    const third = await bulkhead.execute(hold).catch((e: unknown) => e);
    expect(isBulkheadRejectedError(third)).toBe(true);
    expect(started).toBe(2);
    g.open();
    expect(await Promise.all([first, second])).toEqual(['done', 'done']);
    expect(await bulkhead.execute(async () => 'again')).toBe('again');
  });

  it('queues up to `queue` calls and runs them when a slot frees', async () => {
    const bulkhead = createBulkhead({ limit: 1, queue: 1 });
    const g = gate();
    const order: string[] = [];
    const first = bulkhead.execute(async () => {
      await g.wait;
      order.push('first');
    });
    const queued = bulkhead.execute(async () => {
      order.push('queued');
    });
    await expect(bulkhead.execute(async () => order.push('third'))).rejects.toSatisfy(isBulkheadRejectedError);
    g.open();
    await Promise.all([first, queued]);
    expect(order).toEqual(['first', 'queued']);
  });

  it('validates its options', () => {
    expect(() => createBulkhead({ limit: 0 })).toThrow(RangeError);
    expect(() => createBulkhead({ limit: 1, queue: -1 })).toThrow(RangeError);
  });
});
