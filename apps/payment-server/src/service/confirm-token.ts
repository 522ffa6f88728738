import { createHmac, timingSafeEqual } from 'node:crypto';
import { AppError } from '@mcpfed/errors';

/** What a confirm_token vouches for: this refund, by this principal. */
export interface ConfirmedRefund {
  readonly paymentId: string;
  readonly amount: number;
  readonly currency: string;
  readonly reason: string;
  readonly principalId: string;
}

/** Settings of {@link ConfirmTokens}. */
export interface ConfirmTokensConfig {
  /** HMAC-SHA256 key, at least 32 characters (PAYMENT_CONFIRM_TOKEN_SECRET). */
  readonly secret: string;
  /** How long a token is valid, in milliseconds. Default 300000 (5 minutes). */
  readonly ttlMs?: number;
}

const VERSION = 'ct1';

/**
 * confirm_tokens of large refunds: `ct1.<expiry ms, base 36>.<HMAC-SHA256 over payment, amount, currency,
 * reason, principal and expiry, base64url>`. Stateless, so any replica verifies any other's token; bound to every
 * argument that matters, so a token for 50.00 EUR cannot confirm 500.00 EUR or another payment or principal.
 */
export class ConfirmTokens {
  readonly #secret: Buffer;
  readonly #ttlMs: number;

  constructor(config: ConfirmTokensConfig) {
    if (typeof config.secret !== 'string' || config.secret.length < 32) throw new RangeError('ConfirmTokens: secret must be at least 32 characters');
    const ttlMs = config.ttlMs ?? 300_000;
    if (!Number.isInteger(ttlMs) || ttlMs < 1000 || ttlMs > 86_400_000) throw new RangeError('ConfirmTokens: ttlMs must be 1000-86400000');
    this.#secret = Buffer.from(config.secret, 'utf8');
    this.#ttlMs = ttlMs;
  }

  /** How long a token is valid, in milliseconds. */
  get ttlMs(): number {
    return this.#ttlMs;
  }

  /** Issues a token for `refund`, valid until now + ttl. */
  issue(refund: ConfirmedRefund, now: number = Date.now()): { token: string; expiresAt: Date } {
    const expiresAt = now + this.#ttlMs;
    return { token: `${VERSION}.${expiresAt.toString(36)}.${this.#sign(refund, expiresAt)}`, expiresAt: new Date(expiresAt) };
  }

  /**
   * Checks that `token` was issued for exactly `refund` and has not expired; otherwise PRECONDITION_FAILED telling
   * the model to run the dry run again.
   */
  verify(token: string | undefined, refund: ConfirmedRefund, threshold: number, now: number = Date.now()): void {
    const rerun =
      `Refunds above ${threshold} minor units need confirmation: call payment_refund with the same arguments and ` +
      'dry_run=true, confirm the amount with the user, then call again with the returned confirm_token.';
    if (token === undefined) {
      throw new AppError('PRECONDITION_FAILED', `confirm_token is missing. ${rerun}`, { details: { confirm_token: 'missing', threshold } });
    }
    const [version, expiry, signature] = token.split('.');
    const expiresAt = expiry === undefined ? Number.NaN : Number.parseInt(expiry, 36);
    if (version !== VERSION || signature === undefined || !Number.isSafeInteger(expiresAt) || !this.#matches(signature, this.#sign(refund, expiresAt))) {
      throw new AppError('PRECONDITION_FAILED', `confirm_token is not valid for this refund (another amount, reason or payment?). ${rerun}`, {
        details: { confirm_token: 'invalid', threshold },
      });
    }
    if (expiresAt <= now) {
      throw new AppError('PRECONDITION_FAILED', `confirm_token has expired. ${rerun}`, { details: { confirm_token: 'expired', threshold } });
    }
  }

  #sign(refund: ConfirmedRefund, expiresAt: number): string {
    const material = JSON.stringify([VERSION, refund.paymentId, refund.amount, refund.currency, refund.reason, refund.principalId, expiresAt]);
    return createHmac('sha256', this.#secret).update(material).digest('base64url');
  }

  #matches(given: string, expected: string): boolean {
    const a = Buffer.from(given);
    const b = Buffer.from(expected);
    return a.length === b.length && timingSafeEqual(a, b);
  }
}
