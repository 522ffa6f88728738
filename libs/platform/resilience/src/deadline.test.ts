import { AppError } from '@mcpfed/errors';
import { describe, expect, it } from 'vitest';
import { withDeadline } from './deadline.ts';

function activeTimers(): number {
  return process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
}

describe('withDeadline', () => {
  it('rejects with TIMEOUT and aborts the signal when the deadline passes', async () => {
    let seen: AbortSignal | undefined;
    const started = performance.now();
    const error = await withDeadline(20, (signal) => {
      seen = signal;
      return new Promise<never>(() => {});
    }).catch((e: unknown) => e);
    expect(performance.now() - started).toBeLessThan(1000);
    expect(AppError.is(error)).toBe(true);
    expect(error).toMatchObject({ code: 'TIMEOUT', retryable: true, details: { deadline_ms: 20 } });
    expect(seen?.aborted).toBe(true);
    expect(seen?.reason).toBe(error);
  });

  it('clears its timer when the work succeeds (no open handle)', async () => {
    const before = activeTimers();
    const value = await withDeadline(60_000, async (signal) => (signal.aborted ? 'aborted' : 'done'));
    expect(value).toBe('done');
    expect(activeTimers()).toBe(before);
  });

  it('passes the work’s own rejection through and clears its timer', async () => {
    const before = activeTimers();
    const failure = new AppError('NOT_FOUND', 'missing');
    await expect(
      withDeadline(60_000, async () => {
        throw failure;
      }),
    ).rejects.toBe(failure);
    await expect(
      withDeadline(60_000, () => {
        throw new Error('sync throw');
      }),
    ).rejects.toThrow('sync throw');
    expect(activeTimers()).toBe(before);
  });

  it('aborts when the parent signal aborts, rejecting with the parent reason', async () => {
    const parent = new AbortController();
    let seen: AbortSignal | undefined;
    const before = activeTimers();
    const pending = withDeadline(
      60_000,
      (signal) => {
        seen = signal;
        return new Promise<never>(() => {});
      },
      parent.signal,
    );
    const reason = new AppError('TIMEOUT', 'outer deadline', { details: { deadline_ms: 5 } });
    parent.abort(reason);
    await expect(pending).rejects.toBe(reason);
    expect(seen?.aborted).toBe(true);
    expect(activeTimers()).toBe(before);

    const already = new AbortController();
    already.abort();
    let called = false;
    await expect(
      withDeadline(
        1000,
        async () => {
          called = true;
        },
        already.signal,
      ),
    ).rejects.toMatchObject({ code: 'TIMEOUT', details: { cancelled: true } });
    expect(called).toBe(false);
  });

  it('rejects a non-positive deadline', async () => {
    await expect(withDeadline(0, async () => 1)).rejects.toThrow(RangeError);
  });
});
