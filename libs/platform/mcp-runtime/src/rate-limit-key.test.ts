import { describe, expect, it } from 'vitest';
import { rateLimitKeyOf } from './rate-limit-key.ts';

describe('rateLimitKeyOf', () => {
  it("counts every principal under its own id: a service acting for a caller uses the caller's budget", () => {
    expect(rateLimitKeyOf({ id: 'alice' })).toBe('alice');
    expect(rateLimitKeyOf({ id: 'order-server' })).toBe('order-server');
  });
});
