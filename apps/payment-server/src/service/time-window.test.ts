import { describe, expect, it } from 'vitest';
import { AppError } from '@mcpfed/errors';
import { checkTimeWindow } from './time-window.ts';

const DAY_MS = 86_400_000;
const to = new Date('2026-03-01T00:00:00Z');

function refusal(from: Date, maxDays: number, name: string): AppError | undefined {
  try {
    checkTimeWindow(from, to, maxDays, name);
    return undefined;
  } catch (error) {
    if (!AppError.is(error)) throw error;
    return error;
  }
}

describe('checkTimeWindow', () => {
  it('accepts a window up to and including the maximum', () => {
    expect(refusal(new Date(to.getTime() - 1), 31, 'A reconcile window')).toBeUndefined();
    expect(refusal(new Date(to.getTime() - 31 * DAY_MS), 31, 'A reconcile window')).toBeUndefined();
  });

  it('refuses an empty or reversed window', () => {
    for (const from of [to, new Date(to.getTime() + 1)]) {
      expect(refusal(from, 31, 'A reconcile window')).toMatchObject({
        code: 'VALIDATION_FAILED',
        message: 'from must be before to.',
        details: { issues: [{ path: 'from', message: 'must be before to' }] },
      });
    }
  });

  it('refuses a window one millisecond longer than the maximum, naming it', () => {
    expect(refusal(new Date(to.getTime() - 366 * DAY_MS - 1), 366, 'The window')).toMatchObject({
      code: 'VALIDATION_FAILED',
      message: 'The window may be at most 366 days; split it.',
      details: { issues: [{ path: 'from', message: 'window longer than 366 days' }] },
    });
  });
});
