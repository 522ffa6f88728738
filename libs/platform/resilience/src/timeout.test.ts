import { isTaskCancelledError } from 'cockatiel';
import { describe, expect, it } from 'vitest';
import { AttemptTimeoutError } from './policy-errors.ts';
import { createTimeout } from './timeout.ts';

describe('createTimeout', () => {
  it('returns from a hung call and aborts the signal given to the work', async () => {
    const timeout = createTimeout(20);
    let seen: AbortSignal | undefined;
    const started = performance.now();
    const error = await timeout
      .execute((signal) => {
        seen = signal;
        return new Promise<never>(() => {});
      })
      .catch((e: unknown) => e);
    expect(performance.now() - started).toBeLessThan(1000);
    expect(isTaskCancelledError(error)).toBe(true);
    expect(error).toBeInstanceOf(AttemptTimeoutError);
    expect((error as AttemptTimeoutError).timeoutMs).toBe(20);
    expect(seen?.aborted).toBe(true);
  });

  it('passes results and errors of work that finishes in time', async () => {
    const timeout = createTimeout(1000);
    expect(await timeout.execute(async () => 42)).toBe(42);
    await expect(
      timeout.execute(async () => {
        throw new Error('own failure');
      }),
    ).rejects.toThrow('own failure');
  });

  it("does not report the caller's cancellation as its own timeout", async () => {
    const timeout = createTimeout(1000);
    const caller = new AbortController();
    const pending = timeout.execute(() => new Promise<never>(() => {}), caller.signal).catch((e: unknown) => e);
    caller.abort();
    const error = await pending;
    expect(isTaskCancelledError(error)).toBe(true);
    expect(error).not.toBeInstanceOf(AttemptTimeoutError);
  });

  it('validates its duration', () => {
    expect(() => createTimeout(0)).toThrow(RangeError);
    expect(() => createTimeout(Number.NaN)).toThrow(RangeError);
  });
});
