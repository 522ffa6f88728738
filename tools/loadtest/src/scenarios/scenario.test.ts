import { describe, expect, it } from 'vitest';
import { endlessRequests } from './scenario.ts';

describe('endlessRequests', () => {
  it('yields the next request on every index access, whatever the index, and never ends', () => {
    const requests = endlessRequests((sent) => ({ body: `request ${sent}`, expect: `ok ${sent}` }));
    expect(requests.length).toBe(Number.MAX_SAFE_INTEGER);
    expect([requests[0]?.body, requests[0]?.body, requests[7]?.body]).toEqual(['request 1', 'request 2', 'request 3']);
    expect(requests[1]).toEqual({ body: 'request 4', expect: 'ok 4' });
  });
});
