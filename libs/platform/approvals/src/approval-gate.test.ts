import { describe, expect, it } from 'vitest';
import { ApprovalGate } from './approval-gate.ts';
import { statusOf } from './approval-record.ts';

describe('ApprovalGate.bindingOf', () => {
  const request = { operation: 'order_place', callerPrincipal: 'alice', idempotencyKey: 'key-1', argsDigest: 'abc' };

  it('is bound to the tool, the caller, the key and the arguments: changing any one gives another binding', () => {
    const binding = ApprovalGate.bindingOf(request);
    expect(ApprovalGate.bindingOf({ ...request })).toBe(binding);
    for (const change of [{ operation: 'payment_refund' }, { callerPrincipal: 'bob' }, { idempotencyKey: 'key-2' }, { argsDigest: 'abd' }]) {
      expect(ApprovalGate.bindingOf({ ...request, ...change })).not.toBe(binding);
    }
  });

  it('cannot be made to collide by moving text between fields', () => {
    expect(ApprovalGate.bindingOf({ ...request, callerPrincipal: 'alice|key', idempotencyKey: '1' })).not.toBe(
      ApprovalGate.bindingOf({ ...request, callerPrincipal: 'alice', idempotencyKey: 'key|1' }),
    );
  });
});

describe('statusOf', () => {
  const now = new Date('2026-01-01T12:00:00Z');
  const later = new Date('2026-01-01T12:15:00Z');
  const earlier = new Date('2026-01-01T11:45:00Z');

  it('turns a pending or approved approval past its expiry into expired, and leaves final states alone', () => {
    expect(statusOf({ status: 'pending', expires_at: later }, now)).toBe('pending');
    expect(statusOf({ status: 'pending', expires_at: earlier }, now)).toBe('expired');
    expect(statusOf({ status: 'approved', expires_at: now }, now)).toBe('expired');
    expect(statusOf({ status: 'declined', expires_at: earlier }, now)).toBe('declined');
    expect(statusOf({ status: 'used', expires_at: earlier }, now)).toBe('used');
  });

  it('refuses a gate without a positive expiry', () => {
    expect(() => new ApprovalGate({ ttlMs: 0, urlOf: (id) => id })).toThrow(/ttlMs/);
  });
});
