import { describe, expect, it } from 'vitest';
import { parseConfig } from '@mcpfed/config';
import { paymentConfigSchema } from './config.ts';

const BASE = { MCPFED_ENV: 'development', DATABASE_URL: 'postgres://app:secret@db.internal:5432/payment' };
const REQUIRED = 'required outside development (MCPFED_ENV=production): set it from the secret store, or set MCPFED_ENV=development for a local run';

describe('paymentConfigSchema', () => {
  it('has the documented defaults', () => {
    const config = parseConfig(paymentConfigSchema, BASE);
    expect(config).toMatchObject({
      PORT: 8084,
      PAYMENT_PROVIDER: 'sandbox',
      PAYMENT_SANDBOX_SLOW_MS: 3000,
      PAYMENT_MAX_AUTHORIZATION_MINOR: 1_000_000,
      PAYMENT_MAX_REFUND_MINOR: 1_000_000,
      PAYMENT_DAILY_AUTHORIZATION_LIMIT_MINOR: 5_000_000,
      PAYMENT_DAILY_REFUND_LIMIT_MINOR: 2_000_000,
      PAYMENT_REFUND_CONFIRM_THRESHOLD_MINOR: 50_000,
      PAYMENT_AUTHORIZATION_TTL: 7 * 86_400_000,
      APPROVAL_TTL_MS: 900_000,
      APPROVAL_CLIENT_ID: 'payment-approvals',
      QUEUE_PREFIX: '{mcpfed:payment}',
      SQL_DATABASE_URL: 'postgres://payment_sql_reader@db.internal:5432/payment',
    });
  });

  it('reads durations with units', () => {
    for (const [text, ms] of [
      ['30s', 30_000],
      ['12h', 43_200_000],
      ['2d', 172_800_000],
      ['1500ms', 1500],
      ['90000', 90_000],
      ['5m', 300_000],
    ] as const) {
      expect(parseConfig(paymentConfigSchema, { ...BASE, PAYMENT_AUTHORIZATION_TTL: text }).PAYMENT_AUTHORIZATION_TTL).toBe(ms);
    }
  });

  it('names the bad setting in one line', () => {
    expect(() => parseConfig(paymentConfigSchema, { ...BASE, PAYMENT_AUTHORIZATION_TTL: 'a week' })).toThrow(/PAYMENT_AUTHORIZATION_TTL/);
    expect(() => parseConfig(paymentConfigSchema, { ...BASE, PAYMENT_AUTHORIZATION_TTL: '500ms' })).toThrow(/PAYMENT_AUTHORIZATION_TTL/);
    expect(() => parseConfig(paymentConfigSchema, { ...BASE, APPROVAL_CLIENT_SECRET: 'short' })).toThrow(/APPROVAL_CLIENT_SECRET/);
    expect(() => parseConfig(paymentConfigSchema, { ...BASE, APPROVAL_ISSUER: 'ldap://issuer' })).toThrow(/APPROVAL_ISSUER/);
    expect(() => parseConfig(paymentConfigSchema, { ...BASE, PAYMENT_MAX_REFUND_MINOR: '0' })).toThrow(/PAYMENT_MAX_REFUND_MINOR/);
    expect(() => parseConfig(paymentConfigSchema, { ...BASE, PAYMENT_PROVIDER: 'stripe' })).toThrow(/PAYMENT_PROVIDER/);
  });

  it('refuses to start outside development without its secrets, naming each, and takes them when set', () => {
    const production = { DATABASE_URL: BASE.DATABASE_URL };
    expect(() => parseConfig(paymentConfigSchema, production)).toThrow(
      `invalid configuration: AUDIT_DIGEST_KEY: ${REQUIRED}; SQL_READER_PASSWORD: ${REQUIRED}`,
    );
    const secrets = { AUDIT_DIGEST_KEY: 'a'.repeat(40), SQL_READER_PASSWORD: 'reader-password' };
    expect(parseConfig(paymentConfigSchema, { ...production, ...secrets })).toMatchObject({ MCPFED_ENV: 'production', ...secrets });
  });
});
