import { describe, expect, it } from 'vitest';
import { rateLimitKeyOf } from './rate-limit-key.ts';

describe('rateLimitKeyOf', () => {
  it('counts a service acting for a caller per service and caller', () => {
    expect(rateLimitKeyOf({ id: 'order-server', kind: 'service', actingFor: 'alice' })).toBe('order-server>alice');
    expect(rateLimitKeyOf({ id: 'order-server', kind: 'service', actingFor: 'bob' })).toBe('order-server>bob');
  });

  it('counts a service acting for nobody, and every user, under its own id', () => {
    expect(rateLimitKeyOf({ id: 'order-server', kind: 'service' })).toBe('order-server');
    expect(rateLimitKeyOf({ id: 'alice', kind: 'user' })).toBe('alice');
    // A user token cannot borrow another caller's budget by naming one.
    expect(rateLimitKeyOf({ id: 'mallory', kind: 'user', actingFor: 'alice' })).toBe('mallory');
  });
});
