import { z } from 'zod';
import {
  commonServerEnv,
  csv,
  DEVELOPMENT_AUDIT_DIGEST_KEY,
  domainServerEnv,
  durationMs,
  positiveInt,
  redisKeyPrefix,
  requireSecretsOutsideDevelopment,
  sqlToolEnv,
  url,
} from '@mcpfed/config';
import { readOnlyConnectionString } from '@mcpfed/db';
import { DEFAULT_PAYMENT_LIMITS } from './service/payment-limits.ts';
import { SQL_READER_ROLE } from './store/sql-reader-role.ts';

const postgresUrl = () => url({ protocols: ['postgres', 'postgresql'] });

const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * A duration written `<n><unit>` with unit ms, s, m, h or d (`7d`, `90s`), or plain milliseconds; at least 1 s.
 * @param defaultText The value when unset, e.g. `7d`.
 */
export function duration(defaultText: string) {
  return z
    .string()
    .default(defaultText)
    .transform((raw, ctx): number => {
      const match = /^(\d{1,15})(ms|s|m|h|d)?$/.exec(raw.trim());
      const ms = match === null ? Number.NaN : Number(match[1]) * (UNIT_MS[match[2] ?? 'ms'] ?? Number.NaN);
      if (!Number.isSafeInteger(ms) || ms < 1000) {
        ctx.issues.push({ code: 'custom', message: 'expected a duration of at least 1s like 7d, 12h, 30m, 45s or 1500ms', input: raw });
        return z.NEVER;
      }
      return ms;
    });
}

/** The payment server's environment (docs/architecture.md §2), parsed once at start by main.ts. */
export const paymentConfigSchema = requireSecretsOutsideDevelopment(
  z.object({
    ...commonServerEnv(8084),
    ...domainServerEnv(),
    /** The payment database, as its owner role (migrations, tools, the sandbox provider's schema). Required postgres:// URL. */
    DATABASE_URL: postgresUrl(),
    ...sqlToolEnv(),
    /** The payment provider. Default and only built-in: `sandbox` (records in schema `sandbox` of DATABASE_URL). */
    PAYMENT_PROVIDER: z.enum(['sandbox']).default('sandbox'),
    /** How long the sandbox's pm_card_slow waits before acting, in milliseconds. Default 3000 ms. */
    PAYMENT_SANDBOX_SLOW_MS: durationMs(3000),
    /** Largest single authorization, integer minor units (per currency). Default 1000000 (10,000.00). */
    PAYMENT_MAX_AUTHORIZATION_MINOR: positiveInt(DEFAULT_PAYMENT_LIMITS.maxAuthorizationMinor),
    /** Largest single refund, integer minor units. Default 1000000 (10,000.00). */
    PAYMENT_MAX_REFUND_MINOR: positiveInt(DEFAULT_PAYMENT_LIMITS.maxRefundMinor),
    /** Most one caller may authorize in a rolling 24 hours (a service acting for a caller with an exchanged token counts as that caller), minor units per currency. Default 5000000 (50,000.00). */
    PAYMENT_DAILY_AUTHORIZATION_LIMIT_MINOR: positiveInt(DEFAULT_PAYMENT_LIMITS.dailyAuthorizationLimitMinor),
    /** Most one caller may refund in a rolling 24 hours (a service acting for a caller with an exchanged token counts as that caller), minor units per currency. Default 2000000 (20,000.00). */
    PAYMENT_DAILY_REFUND_LIMIT_MINOR: positiveInt(DEFAULT_PAYMENT_LIMITS.dailyRefundLimitMinor),
    /**
     * Refunds above this many minor units asked for a person (a user token, or a service acting for one) wait for
     * that person's approval on this server's approval page. Default 50000 (500.00).
     */
    PAYMENT_REFUND_CONFIRM_THRESHOLD_MINOR: positiveInt(DEFAULT_PAYMENT_LIMITS.refundConfirmThresholdMinor),
    /** Lifetime of an uncaptured authorization (`7d`, `12h`, `30s`, or milliseconds). Default 7d. */
    PAYMENT_AUTHORIZATION_TTL: duration('7d'),
    /**
     * Client ids whose own tokens (client credentials, no `act`: work done for nobody, such as the order server giving
     * back its failed checkout's capture) may refund above the threshold without a person. Any other service's own
     * token is refused there: no person stands behind it to approve. Default `order-server`.
     */
    REFUND_APPROVAL_EXEMPT_CLIENTS: csv.default(() => ['order-server']),
    /** How long a person has to decide a refund's approval, and the caller then has to use it, in milliseconds. Default 900000 ms (15 minutes). */
    APPROVAL_TTL_MS: durationMs(900_000),
    /** The issuer where a person logs in on the approval pages. Optional; default AUTH_ISSUER. */
    APPROVAL_ISSUER: url({ protocols: ['http', 'https'] }).optional(),
    /** OAuth client of the approval pages (authorization code + PKCE; redirect URI `<PUBLIC_URL>/approvals/callback`). Default `payment-approvals`. */
    APPROVAL_CLIENT_ID: z.string().trim().min(1).max(200).default('payment-approvals'),
    /**
     * Its client secret, also the key of the pages' cookies. Optional; without it there are no approval pages and a
     * refund that needs approval is refused (FORBIDDEN, details.approval `unavailable`). From the secret store.
     */
    APPROVAL_CLIENT_SECRET: z.string().min(16).max(500).optional(),
    /** How long one call may work on a pending money movement before the sweep may take over, in milliseconds. Default 60000. */
    PAYMENT_OPERATION_LEASE_MS: durationMs(60_000),
    /** Interval of the sweep that finishes pending operations and voids expired authorizations, in milliseconds. Default 30000. */
    PAYMENT_RECONCILE_INTERVAL_MS: durationMs(30_000),
    /** BullMQ key prefix of this server's queues; the hash tag keeps their keys in one Redis Cluster slot. Default `{mcpfed:payment}`. */
    QUEUE_PREFIX: redisKeyPrefix('{mcpfed:payment}'),
  }),
  { AUDIT_DIGEST_KEY: DEVELOPMENT_AUDIT_DIGEST_KEY, SQL_READER_PASSWORD: null },
).transform((config) => ({
  ...config,
  SQL_DATABASE_URL: config.SQL_DATABASE_URL ?? readOnlyConnectionString(config.DATABASE_URL, SQL_READER_ROLE, config.SQL_READER_PASSWORD),
}));

/** The parsed settings of the payment server. */
export type PaymentConfig = z.output<typeof paymentConfigSchema>;
