import { describe, expect, it } from 'vitest';
import { ConfirmTokens } from './confirm-token.ts';

const SECRET = 'unit-test-secret-0123456789abcdefghijkl';
const REFUND = { paymentId: 'pay_01j9z3k8q4m2n6p7r8s9t0v1w2', amount: 60_000, currency: 'EUR', reason: 'duplicate', principalId: 'alice' };
const NOW = Date.UTC(2025, 5, 1, 12, 0, 0);

function verifyError(tokens: ConfirmTokens, token: string | undefined, refund = REFUND, now = NOW) {
  try {
    tokens.verify(token, refund, 50_000, now);
    return undefined;
  } catch (error) {
    return error as { code: string; details: Record<string, unknown> };
  }
}

describe('ConfirmTokens', () => {
  const tokens = new ConfirmTokens({ secret: SECRET });

  it('issues a token valid for five minutes by default, for exactly this refund', () => {
    const { token, expiresAt } = tokens.issue(REFUND, NOW);
    expect(expiresAt.getTime()).toBe(NOW + 300_000);
    expect(token).toMatch(/^ct1\.[0-9a-z]+\.[A-Za-z0-9_-]{43}$/);
    expect(verifyError(tokens, token)).toBeUndefined();
    expect(verifyError(tokens, token, REFUND, NOW + 299_999)).toBeUndefined();
  });

  it('refuses the token for any other amount, currency, reason, payment or principal', () => {
    const { token } = tokens.issue(REFUND, NOW);
    for (const change of [{ amount: 60_001 }, { currency: 'USD' }, { reason: 'other' }, { paymentId: 'pay_01j9z3k8q4m2n6p7r8s9t0v1w3' }, { principalId: 'bob' }]) {
      expect(verifyError(tokens, token, { ...REFUND, ...change })).toMatchObject({ code: 'PRECONDITION_FAILED', details: { confirm_token: 'invalid' } });
    }
  });

  it('refuses an expired, missing, tampered or foreign token', () => {
    const { token } = tokens.issue(REFUND, NOW);
    expect(verifyError(tokens, token, REFUND, NOW + 300_000)).toMatchObject({ details: { confirm_token: 'expired' } });
    expect(verifyError(tokens, undefined)).toMatchObject({ details: { confirm_token: 'missing' } });
    const [version, expiry, signature] = token.split('.');
    const later = (Number.parseInt(expiry as string, 36) + 3_600_000).toString(36);
    expect(verifyError(tokens, `${version}.${later}.${signature}`)).toMatchObject({ details: { confirm_token: 'invalid' } });
    expect(verifyError(tokens, 'garbage')).toMatchObject({ details: { confirm_token: 'invalid' } });
    const other = new ConfirmTokens({ secret: `${SECRET}-other` });
    expect(verifyError(tokens, other.issue(REFUND, NOW).token)).toMatchObject({ details: { confirm_token: 'invalid' } });
  });

  it('validates its settings', () => {
    expect(() => new ConfirmTokens({ secret: 'short' })).toThrow(RangeError);
    expect(() => new ConfirmTokens({ secret: SECRET, ttlMs: 10 })).toThrow(RangeError);
    expect(new ConfirmTokens({ secret: SECRET, ttlMs: 60_000 }).ttlMs).toBe(60_000);
  });
});
