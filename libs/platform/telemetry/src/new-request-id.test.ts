import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { newRequestId } from './new-request-id.ts';

describe('newRequestId', () => {
  it('is 20 lowercase Crockford base32 characters', () => {
    expect(newRequestId()).toMatch(/^[0-9abcdefghjkmnpqrstvwxyz]{20}$/);
  });

  it('encodes the current millisecond in its first 10 characters', () => {
    const before = Date.now();
    const id = newRequestId();
    const after = Date.now();
    const alphabet = '0123456789abcdefghjkmnpqrstvwxyz';
    const ms = [...id.slice(0, 10)].reduce((n, c) => n * 32 + alphabet.indexOf(c), 0);
    expect(ms).toBeGreaterThanOrEqual(before);
    expect(ms).toBeLessThanOrEqual(after);
  });

  it('sorts by creation time across milliseconds', async () => {
    const first = newRequestId();
    await sleep(3);
    const second = newRequestId();
    expect(first < second).toBe(true);
  });

  it('does not repeat within a burst in the same millisecond', () => {
    const ids = new Set<string>();
    for (let i = 0; i < 10_000; i++) ids.add(newRequestId());
    expect(ids.size).toBe(10_000);
  });
});
