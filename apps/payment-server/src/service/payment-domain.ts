import type { Kysely } from 'kysely';
import type { Logger } from '@mcpfed/telemetry';
import type { PaymentProvider } from '../provider/payment-provider.ts';
import type { PaymentDatabase } from '../store/payment-database.ts';
import { ConfirmTokens } from './confirm-token.ts';
import type { IdGenerator } from './new-id.ts';
import { checkPaymentLimits } from './payment-limits.ts';
import type { PaymentLimits, PaymentPolicy } from './payment-limits.ts';
import { PaymentQueryService } from './payment-query-service.ts';
import { PaymentService } from './payment-service.ts';
import type { ExpiryScheduler } from './payment-service.ts';
import { ReconciliationService } from './reconciliation-service.ts';

/** Everything {@link createPaymentDomain} needs. */
export interface PaymentDomainOptions {
  /** The payment database (pool). */
  db: Kysely<PaymentDatabase>;
  provider: PaymentProvider;
  limits: PaymentLimits;
  /** HMAC key of refund confirm_tokens, at least 32 characters. */
  confirmTokenSecret: string;
  /** Validity of a confirm_token, in milliseconds. Default 300000. */
  confirmTokenTtlMs?: number;
  /** Lifetime of an uncaptured authorization, in milliseconds. */
  authorizationTtlMs: number;
  /** Lease of a pending operation, in milliseconds (also when the sweep takes over). Default 60000. */
  operationLeaseMs?: number;
  /** Schedules expiry voids; default none (the sweep alone voids expired authorizations). */
  expiry?: ExpiryScheduler;
  logger: Logger;
  /** Id generator; default time-ordered random ids. */
  ids?: IdGenerator;
}

/** The payment domain's services, wired once (main.ts, the seed and the tests share this). */
export interface PaymentDomain {
  payments: PaymentService;
  queries: PaymentQueryService;
  reconciliation: ReconciliationService;
  policy: PaymentPolicy;
}

/** Builds the payment domain's services over one database and provider. */
export function createPaymentDomain(options: PaymentDomainOptions): PaymentDomain {
  const limits = checkPaymentLimits(options.limits);
  const confirmTokens = new ConfirmTokens({
    secret: options.confirmTokenSecret,
    ...(options.confirmTokenTtlMs === undefined ? {} : { ttlMs: options.confirmTokenTtlMs }),
  });
  const leaseMs = options.operationLeaseMs ?? 60_000;
  const payments = new PaymentService({
    db: options.db,
    provider: options.provider,
    limits,
    confirmTokens,
    authorizationTtlMs: options.authorizationTtlMs,
    operationLeaseMs: leaseMs,
    logger: options.logger,
    ...(options.expiry === undefined ? {} : { expiry: options.expiry }),
    ...(options.ids === undefined ? {} : { ids: options.ids }),
  });
  return {
    payments,
    queries: new PaymentQueryService({ db: options.db, limits }),
    reconciliation: new ReconciliationService({ db: options.db, provider: options.provider, payments, logger: options.logger, unattendedAfterMs: leaseMs }),
    policy: { limits, authorizationTtlMs: options.authorizationTtlMs, confirmTokenTtlMs: confirmTokens.ttlMs },
  };
}
