import { describe, expect, it } from 'vitest';
import type { CallRecord } from './load-driver.ts';
import { stats } from './run-faults.ts';

const record = (endedAt: number, ok: boolean, code?: string): CallRecord => ({
  kind: 'read',
  tool: 'customer_get',
  startedAt: endedAt - 5,
  endedAt,
  ok,
  code,
  confirmed: false,
});

describe('stats', () => {
  it('counts the calls that ended within the period, their failures and failure codes', () => {
    const records = [
      record(5, false, 'TIMEOUT'),
      record(10, true),
      record(20, false, 'UPSTREAM_UNAVAILABLE'),
      record(25, false, 'UPSTREAM_UNAVAILABLE'),
      record(30, true),
      record(40, false, 'INTERNAL'),
    ];
    expect(stats(records, 10, 30)).toEqual({ calls: 4, failed: 2, errorRate: 0.5, codes: { UPSTREAM_UNAVAILABLE: 2 } });
    expect(stats(records, 100, 200)).toEqual({ calls: 0, failed: 0, errorRate: 0, codes: {} });
  });
});
